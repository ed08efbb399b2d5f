"""A Sentry server that is down never blocks your code; its events are lost."""

import socket
import time

import sentry_sdk

with socket.socket() as probe:  # a port on which nothing listens
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
sentry_sdk.init(dsn=f"http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@127.0.0.1:{port}/1")

# Each capture only queues its event: the SDK's own thread sends it.
ids = [sentry_sdk.capture_message(f"event {n}") for n in range(5)]
print("5 captures returned ids:", all(ids))
#> 5 captures returned ids: True

started = time.monotonic()
result = sentry_sdk.flush(timeout=2)  # waits at most 2 s for the queue
in_time = time.monotonic() - started < 2.5
pending = []  # flush() calls this back with what is still queued after 0.1 s
sentry_sdk.flush(timeout=2, callback=lambda n, _: pending.append(n))
print("flush returned", result, "| within 2 s:", in_time, "| left:", pending)
#> flush returned None | within 2 s: True | left: []
