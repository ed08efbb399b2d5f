"""Persistence, proven by crashing private servers: what survives `kill -9` and a clean shutdown.

For each configuration: start a private redis-server, write 1,000 keys (every write acknowledged),
then either `kill -9` it or stop it cleanly (SIGTERM), start it again with the same flags and dir,
and count the keys. The table the Persistence page shows is snippets/redis/results/persistence.md,
written by this test (`--update-examples`) and compared with every run.
"""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.page("redis/persistence.md")

WRITES = 1000
DEFAULT_SAVE = "3600 1 300 100 60 10000"  # what redis-server 7.0 uses without a config file

CONFIGS = [
    ("No persistence", ["--save", "", "--appendonly", "no"]),
    ("RDB (default save points)", ["--save", DEFAULT_SAVE, "--appendonly", "no"]),
    ("AOF, appendfsync always", ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]),
    ("AOF, appendfsync everysec", ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]),
    ("AOF, appendfsync no", ["--save", "", "--appendonly", "yes", "--appendfsync", "no"]),
    ("RDB + AOF (everysec)", ["--save", DEFAULT_SAVE, "--appendonly", "yes", "--appendfsync", "everysec"]),
]


def flags(args: list[str]) -> str:
    return " ".join(f'"{a}"' if (a == "" or " " in a) else a for a in args)


def write_then(server, stop) -> int:
    """Write WRITES acknowledged keys, stop the server with `stop`, restart it, count the keys."""
    client = server.client()
    with client.pipeline(transaction=False) as pipe:
        for i in range(WRITES):
            pipe.set(f"order:{i}", i)
        assert all(pipe.execute())  # every write acknowledged by the server
    client.close()
    stop()
    server.start()
    return server.client().dbsize()


def survivors(private_redis, args: list[str]) -> tuple[int, int]:
    crashed = private_redis(*args)
    after_crash = write_then(crashed, crashed.kill9)
    stopped = private_redis(*args)
    after_stop = write_then(stopped, stopped.stop)
    return after_crash, after_stop


def test_what_survives_kill9_and_clean_shutdown(private_redis, results):
    rows = []
    measured = {}
    for name, args in CONFIGS:
        crash, stop = survivors(private_redis, args)
        measured[name] = (crash, stop)
        rows.append(f"| {name} | `{flags(args)}` | {crash:,} of {WRITES:,} | {stop:,} of {WRITES:,} |")
    table = "\n".join(
        [
            f"| Configuration | redis-server flags | `kill -9` right after {WRITES:,} acknowledged writes "
            "| clean shutdown (SIGTERM) instead |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    # the claims the page makes, independent of the table's wording
    assert measured["No persistence"] == (0, 0)
    assert measured["RDB (default save points)"] == (0, WRITES)  # no snapshot yet; SIGTERM saves one
    for name in ("AOF, appendfsync always", "AOF, appendfsync everysec", "AOF, appendfsync no", "RDB + AOF (everysec)"):
        assert measured[name] == (WRITES, WRITES), name
    results("redis/persistence.md", table)


def test_rdb_keeps_only_what_the_last_snapshot_had(private_redis, results):
    """BGSAVE after 500 writes, 500 more, kill -9: the restart loads the snapshot, the last 500 are gone."""
    server = private_redis("--save", "", "--appendonly", "no")
    client = server.client()
    for i in range(500):
        client.set(f"order:{i}", i)
    client.bgsave()
    while client.info("persistence")["rdb_bgsave_in_progress"]:
        time.sleep(0.05)
    for i in range(500, 1000):
        client.set(f"order:{i}", i)
    server.kill9()
    server.start()
    kept = server.client().dbsize()
    assert kept == 500
    results(
        "redis/rdb_snapshot.md",
        f"500 writes, `BGSAVE`, 500 more writes, `kill -9`, restart: **{kept} of 1,000 keys** came back "
        "(exactly the snapshot).",
    )


def test_cost_of_fsync_per_write(private_redis, results):
    """How long 200 acknowledged writes, one round trip each, take per fsync policy (a measurement, no threshold)."""
    writes = 200
    lines = ["| Configuration | 200 writes, one by one | per write |", "|---|---|---|"]
    measured = ("No persistence", "AOF, appendfsync everysec", "AOF, appendfsync always")
    for name, args in [c for c in CONFIGS if c[0] in measured]:
        server = private_redis(*args)
        client = server.client()
        started = time.perf_counter()
        for i in range(writes):
            client.set(f"k:{i}", i)
        took = time.perf_counter() - started
        lines.append(f"| {name} | {took * 1000:.0f} ms | {took / writes * 1_000_000:.0f} µs |")
    results("redis/persistence_cost.md", "\n".join(lines), vary=True)
