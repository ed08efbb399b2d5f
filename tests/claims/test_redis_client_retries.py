"""redis-py 8's timeouts and retries, proven against servers that misbehave on purpose.

- A server that accepts and hangs up at once: `Redis(host=, port=)` tries 11 times (1 + 10 retries),
  `Redis.from_url()` once (its pool gets no retry object).
- Nothing listening, or a server that accepts and never answers (a stopped redis-server): the time
  until the error, about (retries + 1) x socket_timeout plus backoff for the hung one (measured).
- A blocking command whose timeout is longer than socket_timeout ends in TimeoutError.
What involves a redis-server runs on every Redis build (Redis 8.0, Valkey 8.1, Redis 7.0), side by side; the
hang-up server and the closed port are no Redis, so they are measured once.
The page's tables: snippets/redis/results/retries.md (attempts, exact), retries_auth.md (per build) and
retry_times.md (measured; the hung server per build).
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from redis.connection import parse_url
from services.each_build import on_each_build
from services.generations import Build
from services.procs import eventually, free_port
from services.results import by_build

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


def wrong_password_connections(private_redis, build: Build) -> tuple[int, int]:
    server = private_redis("--requirepass", "right-pw", ready=False, name=build.name, build=build)
    admin = server.client(password="right-pw")
    eventually(admin.ping, 10, what=f"password server ({build})")

    def connections(make_client) -> int:
        before = admin.info("stats")["total_connections_received"]
        with pytest.raises(redis.exceptions.AuthenticationError):
            make_client().ping()
        return admin.info("stats")["total_connections_received"] - before

    by_url = connections(lambda: redis.Redis.from_url(f"redis://:wrong-pw@127.0.0.1:{server.port}/0"))
    by_args = connections(lambda: redis.Redis(host="127.0.0.1", port=server.port, password="wrong-pw"))
    return by_url, by_args


def test_a_wrong_password_is_retried_by_the_constructor(private_redis, results):
    """AuthenticationError is a ConnectionError in redis-py, so the constructor's 10 retries apply to it."""
    measured = on_each_build(lambda build: wrong_password_connections(private_redis, build))
    assert measured == dict.fromkeys(measured, (1, 11))  # on every build
    results(
        "redis/retries_auth.md",
        by_build({
            build: "| Client with a wrong password | connections the server saw before `AuthenticationError` |\n"
            f"|---|---|\n| `redis.Redis.from_url(url)` | {by_url} |\n"
            f"| `redis.Redis(host=..., port=..., password=...)` | {by_args} |"
            for build, (by_url, by_args) in measured.items()
        }),
    )


def timed(make_client, error) -> str:
    started = time.monotonic()
    with pytest.raises(error):
        make_client().ping()
    return f"{time.monotonic() - started:.1f} s"


def refused_rows() -> list[tuple[str, str, str]]:
    closed = free_port()
    return [
        ("nothing listens on the port", "`Redis.from_url(url)`",
         timed(lambda: redis.Redis.from_url(f"redis://127.0.0.1:{closed}/0"), redis.exceptions.ConnectionError)),
        ("nothing listens on the port", "`Redis(host=..., port=...)`",
         timed(lambda: redis.Redis(host="127.0.0.1", port=closed), redis.exceptions.ConnectionError)),
    ]  # fmt: skip


def hung_rows(private_redis, build: Build) -> list[tuple[str, str, str]]:
    server = private_redis(name=build.name, build=build)
    server.client().ping()
    server.proc.send_signal(signal.SIGSTOP)  # the process still exists, the kernel still accepts; nobody answers
    try:
        return [
            ("hung (SIGSTOP)", "`Redis.from_url(url, socket_timeout=0.5)`",
             timed(lambda: redis.Redis.from_url(server.url, socket_timeout=0.5), redis.exceptions.TimeoutError)),
            ("hung (SIGSTOP)", "`Redis(host=..., port=..., socket_timeout=0.5)`",
             timed(lambda: redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=0.5),
                   redis.exceptions.TimeoutError)),
        ]  # fmt: skip
    finally:
        server.proc.send_signal(signal.SIGCONT)


@pytest.mark.slow
def test_time_until_the_error_refused_and_hung(private_redis, results):
    """Measured, no thresholds: refused connections (nothing listens: no Redis, measured once) and a hung server
    (SIGSTOP), each build's. All at once: the times are timeouts and backoff sleeps, not CPU."""
    with ThreadPoolExecutor(1) as pool:
        refused = pool.submit(refused_rows)
        hung = on_each_build(lambda build: hung_rows(private_redis, build))
    results(
        "redis/retry_times.md",
        by_build({
            build: "| Server | client | time until the error |\n|---|---|---|\n"
            + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in [*refused.result(), *rows])
            for build, rows in hung.items()
        }, vary=True),
        vary=True,
    )


@pytest.mark.page("redis/data-types.md")  # which names this test
def test_blocking_timeout_longer_than_socket_timeout_fails(private_redis):
    """BLPOP 2 s on a connection that waits 0.5 s for replies: redis-py gives up first."""

    def blpop(build: Build) -> None:
        server = private_redis(name=build.name, build=build)
        client = redis.Redis.from_url(server.url, socket_timeout=0.5)
        with pytest.raises(redis.exceptions.TimeoutError):
            client.blpop(["nothing-here"], timeout=2)
        # the fix: socket_timeout longer than any blocking timeout you use
        patient = redis.Redis.from_url(server.url, socket_timeout=3)
        assert patient.blpop(["nothing-here"], timeout=1) is None, build

    on_each_build(blpop)
