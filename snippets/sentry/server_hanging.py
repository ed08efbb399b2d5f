"""A server that accepts connections but never answers: the queue fills up."""

import select
import socket
import time

import sentry_sdk

server = socket.create_server(("127.0.0.1", 0))  # listens, never answers
port = server.getsockname()[1]
sentry_sdk.init(dsn=f"http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@127.0.0.1:{port}/1")

sentry_sdk.capture_message("first")  # the SDK's thread sends it ...
select.select([server], [], [], 5)  # ... has connected, waits for an answer

ids = [sentry_sdk.capture_message(f"event {n}") for n in range(150)]
print("150 more captures returned ids:", all(ids))
#> 150 more captures returned ids: True

pending = []
started = time.monotonic()
sentry_sdk.flush(timeout=2, callback=lambda n, _: pending.append(n))
took = time.monotonic() - started
print("flush(timeout=2) gave up after 2 s:", 1.9 < took < 3)
#> flush(timeout=2) gave up after 2 s: True
print("still waiting (1 in flight + queue):", pending)
#> still waiting (1 in flight + queue): [101]
