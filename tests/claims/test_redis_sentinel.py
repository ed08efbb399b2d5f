"""Sentinel failover, measured (docs/redis/memory-scaling.md, "Sentinel failover, measured").

Per build (Redis 8.0, Valkey 8.1, Redis 7.0): a primary, a replica and three sentinels started from
snippets/redis/servers/sentinel.txt, and one kill -9 of the primary. In order:

1. The app: `connect()` of snippets/redis/sentinel_client.py (master_for, 0.5 s socket timeout, no retry
   object) writes `app:N` every 10 ms in a thread and records every exception it gets.
2. 20 writes, each followed by `WAIT 1 1000` in the same pipeline (one connection), replica healthy.
3. The replica stalls (SIGSTOP, as a paused VM would): 200 x 100 KB writes acknowledged without WAIT,
   then 3 writes each followed by `WAIT 1 100`.
4. kill -9 of the primary; SIGCONT to the replica at once. The sentinels promote it.
5. The app stops 1.5 s after its first write on the new primary; every acknowledged key is looked up
   on the promoted replica.

Asserted: the app's writes failed and then reached the new primary; every write that WAIT reported on
1 replica survived; acknowledged writes without a replica's acknowledgement were lost (replication is
asynchronous). The numbers go to snippets/redis/results/sentinel_failover.md (one column per build).
The setup's `redis-cli` lines, the check and the stop lines, run with the build's own CLI.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import redis
from services.generations import REDIS_BUILDS, Build
from services.procs import eventually
from services.replicated import DocumentedSentinels, import_snippet

pytestmark = [pytest.mark.slow, pytest.mark.page("redis/memory-scaling.md")]

APP_PAUSE = 0.01  # between two app writes
BURST, BURST_BYTES = 200, 100_000  # acknowledged without WAIT while the replica stalls
# What the app can see (ports as the page documents them), by the short name the table uses; anything
# else is counted as "other".
KNOWN_ERRORS = {
    # the write in flight, or the next one on that connection: one of these two, by timing
    "connection reset": "ConnectionError: Error while reading from 127.0.0.1:6385 : (104, 'Connection reset by peer')",
    "connection closed": "ConnectionError: Connection closed by server.",
    "connection refused": "ConnectionError: Error 111 connecting to 127.0.0.1:6385. Connection refused.",
    "no master found": "MasterNotFoundError: No master found for 'guide'",
}


@dataclass
class Write:
    key: str
    start: float
    end: float
    error: str | None  # None: acknowledged


@dataclass
class Failover:
    build: Build
    killed: float = 0.0
    stalled: float = 0.0  # when the replica was stopped
    promoted: float = 0.0  # when the first sentinel named the replica as the primary
    app: list[Write] = field(default_factory=list)
    new_primary: tuple[str, int] | None = None  # where the app's client pointed at the end
    replica_port: int = 0
    missing: set[str] = field(default_factory=set)  # acknowledged keys not on the promoted replica
    waited_healthy: list[tuple[str, int]] = field(default_factory=list)  # (key, WAIT's answer)
    waited_stalled: list[tuple[str, int]] = field(default_factory=list)
    burst: list[str] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    left_running: list[str] = field(default_factory=list)  # what servers/sentinel_stop.txt did not stop

    def acked(self, keys) -> tuple[int, int]:
        """(missing, of) for these acknowledged keys."""
        keys = list(keys)
        return sum(key in self.missing for key in keys), len(keys)


def app_writes(primary: redis.Redis, stop: threading.Event, log: list[Write]) -> None:
    number = 0
    while not stop.is_set():
        key, start = f"app:{number}", time.monotonic()
        try:
            primary.set(key, number)
            error = None
        except redis.exceptions.RedisError as exc:
            error = f"{type(exc).__name__}: {exc}"
        log.append(Write(key, start, time.monotonic(), error))
        number += 1
        time.sleep(APP_PAUSE)


def set_and_wait(primary: redis.Redis, key: str, timeout_ms: int) -> int:
    """SET then WAIT 1 timeout_ms on the same connection (a pipeline): how many replicas have it."""
    pipe = primary.pipeline(transaction=False)
    pipe.set(key, "x")
    pipe.wait(1, timeout_ms)
    return pipe.execute()[1]


def run_failover(build: Build, tmp_path) -> Failover:
    client = import_snippet("redis/sentinel_client.py")
    outcome = Failover(build)
    with DocumentedSentinels(tmp_path, build) as setup:
        outcome.replica_port = setup.replica.port
        _sentinel, primary, _replica = client.connect(setup.sentinels_env)
        stop = threading.Event()
        app = threading.Thread(target=app_writes, args=(primary, stop, outcome.app), daemon=True)
        app.start()
        try:
            time.sleep(1)
            outcome.waited_healthy = [(f"healthy:{i}", set_and_wait(primary, f"healthy:{i}", 1000)) for i in range(20)]
            replica_pid = setup.replica.proc.pid
            os.kill(replica_pid, signal.SIGSTOP)
            try:
                outcome.stalled = time.monotonic()
                pipe = primary.pipeline(transaction=False)
                outcome.burst = [f"burst:{i}" for i in range(BURST)]
                for key in outcome.burst:
                    pipe.set(key, b"x" * BURST_BYTES)
                assert all(pipe.execute())
                outcome.waited_stalled = [
                    (f"stalled:{i}", set_and_wait(primary, f"stalled:{i}", 100)) for i in range(3)
                ]
                outcome.killed = time.monotonic()
                setup.kill9_primary()
            finally:
                os.kill(replica_pid, signal.SIGCONT)
            outcome.promoted = wait_promoted(setup)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not _settled(outcome):
                time.sleep(0.1)
        finally:
            stop.set()
            app.join(10)
        outcome.new_primary = primary.connection_pool.get_master_address()
        promoted = setup.replica.client()
        keys = [w.key for w in outcome.app if w.error is None] + outcome.burst
        keys += [key for key, _ in outcome.waited_healthy + outcome.waited_stalled]
        pipe = promoted.pipeline(transaction=False)
        for key in keys:
            pipe.exists(key)
        outcome.missing = {key for key, found in zip(keys, pipe.execute(), strict=True) if not found}
        for write in outcome.app:
            if write.error:
                outcome.errors[setup.ports.to_documented(write.error)] += 1
    outcome.left_running = setup.left_running  # after the page's stop lines, run with the build's own CLI
    return outcome


def wait_promoted(setup: DocumentedSentinels, timeout: float = 60) -> float:
    """When the first of the sentinels named the replica as the primary (polled every 50 ms)."""

    def named(index: int) -> bool:
        try:
            return setup.primary_address(index)[1] == setup.replica.port
        except redis.exceptions.RedisError:
            return False

    return eventually(lambda: next((time.monotonic() for i in range(len(setup.sentinel_ports)) if named(i)), False),
                      timeout, interval=0.05, what=f"{setup.build.label} sentinels to promote the replica")  # fmt: skip


def _settled(outcome: Failover) -> bool:
    """1.5 s of the app's writes acknowledged after the kill."""
    after = [w for w in outcome.app if w.start > outcome.killed and w.error is None]
    return (
        bool(after)
        and after[-1].end - after[0].end >= 1.5
        and not any(w.error for w in outcome.app if w.start > after[0].end)
    )


@pytest.fixture(scope="module")
def failovers(tmp_path_factory) -> dict[str, Failover]:
    return {build.name: run_failover(build, tmp_path_factory.mktemp(build.name)) for build in REDIS_BUILDS}


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_the_app_sees_errors_then_writes_to_the_promoted_replica(failovers, build):
    outcome = failovers[build.name]
    failed = [w for w in outcome.app if w.error]
    assert failed, "the app saw no error during the failover"
    assert all(w.end >= outcome.killed for w in failed), [w.error for w in failed if w.end < outcome.killed]
    assert any(e.startswith("ConnectionError") for e in outcome.errors), outcome.errors
    after = [w for w in outcome.app if w.error is None and w.start > failed[-1].end]
    assert after, "the app never wrote to the new primary"
    assert outcome.new_primary == ("127.0.0.1", outcome.replica_port)


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_acknowledged_writes_no_replica_had_are_lost_and_wait_says_which(failovers, build):
    outcome = failovers[build.name]
    assert [n for _, n in outcome.waited_healthy] == [1] * 20
    assert outcome.acked(key for key, _ in outcome.waited_healthy) == (0, 20)  # WAIT said 1 replica: kept
    assert [n for _, n in outcome.waited_stalled] == [0] * 3  # WAIT told the app: no replica has it
    lost, of = outcome.acked(outcome.burst)
    assert 0 < lost <= of, "every write acknowledged without WAIT survived"
    before_stall = [w.key for w in outcome.app if w.error is None and w.end < outcome.stalled]
    assert outcome.acked(before_stall)[0] == 0  # replicated before the stall: kept


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_the_pages_stop_lines_shut_down_the_setup(failovers, build):
    """servers/sentinel_stop.txt, each `redis-cli` run as the build's own CLI (`valkey-cli` on Valkey), shuts down
    the sentinels and both servers (the killed primary included)."""
    assert failovers[build.name].left_running == []


def results_table(failovers: dict[str, Failover]) -> str:
    outcomes = [failovers[build.name] for build in REDIS_BUILDS]

    def row(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(o) for o in outcomes) + " |"

    def app(o: Failover, when) -> list[Write]:
        return [w for w in o.app if when(w)]

    def first_failed(o):  # when the app got its first error (a write in flight may have started before the kill)
        return min(w.end for w in o.app if w.error) - o.killed

    def last_failed(o):
        return max(w.end for w in o.app if w.error) - o.killed

    def first_ok_after(o):
        return min(w.end for w in o.app if w.error is None and w.start > o.killed) - o.killed

    def missing(keys) -> str:
        lost, of = keys
        return f"{lost} of {of}"

    def other(o) -> str:
        return str(sum(n for text, n in o.errors.items() if text not in KNOWN_ERRORS.values()))

    lines = [
        "| Measured (one run each) | " + " | ".join(build.label for build in REDIS_BUILDS) + " |",
        "|---|" + "---|" * len(outcomes),
        row("Replica stalled (SIGSTOP) before the kill", lambda o: f"{o.killed - o.stalled:.2f} s"),
        row("A sentinel named the replica as the primary", lambda o: f"{o.promoted - o.killed:.1f} s after the kill"),
        row("The app's writes failed (errors seen)",
            lambda o: f"from {first_failed(o):.2f} s to {last_failed(o):.1f} s"),
        row("The app's first write on the new primary", lambda o: f"{first_ok_after(o):.1f} s"),
        row("Writes that raised", lambda o: f"{len(app(o, lambda w: w.error))} of {len(o.app)}"),
        *(row(f"↳ *{name}*", lambda o, t=text: str(o.errors[t])) for name, text in KNOWN_ERRORS.items()),
        row("↳ any other error", other),
        row("App writes acknowledged before the stall, lost",
            lambda o: missing(o.acked(w.key for w in app(o, lambda w: w.error is None and w.end < o.stalled)))),
        row("App writes acknowledged during the stall, lost",
            lambda o: missing(o.acked(
                w.key for w in app(o, lambda w: w.error is None and o.stalled <= w.end <= o.killed)))),
        row(f"{BURST} x 100 KB acknowledged without `WAIT` (stalled), lost", lambda o: missing(o.acked(o.burst))),
        row("Writes `WAIT 1 1000` answered 1 for (healthy), lost",
            lambda o: missing(o.acked(k for k, _ in o.waited_healthy))),
        row("Writes `WAIT 1 100` answered 0 for (stalled), lost",
            lambda o: missing(o.acked(k for k, _ in o.waited_stalled))),
    ]  # fmt: skip
    texts = [f"- *{name}*: `{text}`" for name, text in KNOWN_ERRORS.items()]
    return "\n".join([*lines, "", "The errors, as the app printed them (`type: str(exception)`):", "", *texts])


def test_results_on_the_page(failovers, results):
    table = results_table(failovers)
    print(table)
    for outcome in failovers.values():
        print(outcome.build, {text: n for text, n in outcome.errors.items() if text not in KNOWN_ERRORS.values()})
    results("redis/sentinel_failover.md", table, vary=True)
