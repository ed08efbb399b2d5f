"""redis-py 8's timeouts and retries, proven against servers that misbehave on purpose.

- A server that accepts and hangs up at once: `Redis(host=, port=)` tries 11 times (1 + 10 retries),
  `Redis.from_url()` once (its pool gets no retry object).
- Nothing listening, or a server that accepts and never answers (a stopped redis-server): the time
  until the error, about (retries + 1) x socket_timeout plus backoff for the hung one (measured).
- A blocking command whose timeout is longer than socket_timeout ends in TimeoutError.
The page's tables: snippets/redis/results/retries.md (attempts, exact) and retry_times.md (measured).
"""

from __future__ import annotations

import signal
import socket
import threading
import time

import pytest
import redis
from redis.connection import parse_url
from services.procs import eventually, free_port

pytestmark = pytest.mark.page("redis/redis-py.md")


class HangUpServer:
    """Accepts TCP connections and closes them at once; counts how many it saw."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def hang_up_server():
    server = HangUpServer()
    yield server
    server.close()


def attempts(hang_up_server, make_client) -> tuple[int, str]:
    before = hang_up_server.accepted
    with pytest.raises(redis.exceptions.ConnectionError) as err:
        make_client(hang_up_server.url).ping()
    time.sleep(0.1)
    return hang_up_server.accepted - before, type(err.value).__name__


def test_from_url_tries_once_the_constructor_eleven_times(hang_up_server, results):
    by_url = attempts(hang_up_server, lambda url: redis.Redis.from_url(url))
    by_args = attempts(hang_up_server, lambda url: redis.Redis(**parse_url(url)))
    by_url_with_retry = attempts(
        hang_up_server,
        lambda url: redis.Redis.from_url(url, retry=redis.retry.Retry(redis.backoff.NoBackoff(), 3)),
    )
    assert (by_url[0], by_args[0], by_url_with_retry[0]) == (1, 11, 4)
    results(
        "redis/retries.md",
        "| Client built with | connection attempts before the error |\n|---|---|\n"
        f"| `redis.Redis.from_url(url)` | {by_url[0]} |\n"
        f"| `redis.Redis(host=..., port=...)` | {by_args[0]} |\n"
        f"| `redis.Redis.from_url(url, retry=Retry(NoBackoff(), 3))` | {by_url_with_retry[0]} |",
    )


def test_a_wrong_password_is_retried_by_the_constructor(private_redis, results):
    """AuthenticationError is a ConnectionError in redis-py, so the constructor's 10 retries apply to it."""
    server = private_redis("--requirepass", "right-pw", ready=False)
    admin = server.client(password="right-pw")
    eventually(admin.ping, 10, what="password server")

    def connections(make_client) -> int:
        before = admin.info("stats")["total_connections_received"]
        with pytest.raises(redis.exceptions.AuthenticationError):
            make_client().ping()
        return admin.info("stats")["total_connections_received"] - before

    by_url = connections(lambda: redis.Redis.from_url(f"redis://:wrong-pw@127.0.0.1:{server.port}/0"))
    by_args = connections(lambda: redis.Redis(host="127.0.0.1", port=server.port, password="wrong-pw"))
    assert (by_url, by_args) == (1, 11)
    results(
        "redis/retries_auth.md",
        "| Client with a wrong password | connections the server saw before `AuthenticationError` |\n|---|---|\n"
        f"| `redis.Redis.from_url(url)` | {by_url} |\n"
        f"| `redis.Redis(host=..., port=..., password=...)` | {by_args} |",
    )


@pytest.mark.slow
def test_time_until_the_error_refused_and_hung(private_redis, results):
    """Measured, no thresholds: refused connections (nothing listens) and a hung server (SIGSTOP)."""
    def timed(make_client, error) -> str:
        started = time.monotonic()
        with pytest.raises(error):
            make_client().ping()
        return f"{time.monotonic() - started:.1f} s"

    closed = free_port()
    rows = [
        ("nothing listens on the port", "`Redis.from_url(url)`",
         timed(lambda: redis.Redis.from_url(f"redis://127.0.0.1:{closed}/0"), redis.exceptions.ConnectionError)),
        ("nothing listens on the port", "`Redis(host=..., port=...)`",
         timed(lambda: redis.Redis(host="127.0.0.1", port=closed), redis.exceptions.ConnectionError)),
    ]
    server = private_redis()
    server.client().ping()
    server.proc.send_signal(signal.SIGSTOP)  # the process still exists, the kernel still accepts; nobody answers
    try:
        rows += [
            ("hung (SIGSTOP)", "`Redis.from_url(url, socket_timeout=0.5)`",
             timed(lambda: redis.Redis.from_url(server.url, socket_timeout=0.5), redis.exceptions.TimeoutError)),
            ("hung (SIGSTOP)", "`Redis(host=..., port=..., socket_timeout=0.5)`",
             timed(lambda: redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=0.5),
                   redis.exceptions.TimeoutError)),
        ]
    finally:
        server.proc.send_signal(signal.SIGCONT)
    results(
        "redis/retry_times.md",
        "| Server | client | time until the error |\n|---|---|---|\n"
        + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows),
        vary=True,
    )


@pytest.mark.page("redis/data-types.md")  # which names this test
def test_blocking_timeout_longer_than_socket_timeout_fails(private_redis):
    """BLPOP 2 s on a connection that waits 0.5 s for replies: redis-py gives up first."""
    server = private_redis()
    client = redis.Redis.from_url(server.url, socket_timeout=0.5)
    with pytest.raises(redis.exceptions.TimeoutError):
        client.blpop(["nothing-here"], timeout=2)
    # the fix: socket_timeout longer than any blocking timeout you use
    patient = redis.Redis.from_url(server.url, socket_timeout=3)
    assert patient.blpop(["nothing-here"], timeout=1) is None
