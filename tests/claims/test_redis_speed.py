"""Why Redis is fast, and where the time really goes: measured on private servers, no thresholds, on every
Redis build (Redis 8.0, Valkey 8.1, Redis 7.0: services/generations.py), a tab per build on the pages. The
timings run one build after the other (side by side they would share the CPU), the fastest of 3 runs each; the
script test side by side.

- Round trips: 1,000 SETs one by one vs in one pipeline, wall time against the time the server spent
  executing them (INFO commandstats). The page's table is snippets/redis/results/round_trips.md.
- One command at a time: while a Lua script runs, every other client waits; with a 100 ms
  busy-reply-threshold they get a BUSY error instead. Shown with io-threads 2: I/O threads do not
  run commands. Result: snippets/redis/results/single_thread.md.
- KEYS vs SCAN: the server time of one KEYS over 200,000 keys vs one SCAN step. Valkey 8.1's KEYS is faster than
  both Redis builds' (the one ordering asserted). Result: snippets/redis/results/keys_vs_scan.md.
"""

from __future__ import annotations

import threading
import time

import pytest
import redis
from services.each_build import on_each_build
from services.generations import REDIS_7_0, REDIS_8_0, VALKEY_8_1, Build
from services.results import by_build

pytestmark = pytest.mark.page("redis/index.md", "redis/mistakes.md")

RUNS = 3  # timings: the fastest of 3 runs

BUSY_LOOP = """
local start = redis.call('TIME')
while true do
  local now = redis.call('TIME')
  if (now[1] - start[1]) * 1000000 + (now[2] - start[2]) > tonumber(ARGV[1]) then
    return 'done'
  end
end
"""


def server_usec(client: redis.Redis, command: str, info: dict | None = None) -> tuple[int, int]:
    info = info or client.info("commandstats")
    stats = info.get(f"cmdstat_{command}", {"calls": 0, "usec": 0})
    return stats["calls"], stats["usec"]


def round_trips_table(server) -> str:
    """Each way timed RUNS times; the fastest run counts (the test machine is shared: a slow run measures others)."""
    client = server.client()
    rows = []
    for label in ("one by one", "one pipeline"):
        runs = []
        for _ in range(RUNS):
            client.config_resetstat()
            started = time.perf_counter()
            if label == "one by one":
                for i in range(1000):
                    client.set(f"n:{i}", i)
            else:
                with client.pipeline(transaction=False) as pipe:
                    for i in range(1000):
                        pipe.set(f"n:{i}", i)
                    pipe.execute()
            wall = time.perf_counter() - started
            info = client.info("all")  # one call: commandstats and stats
            calls, usec = server_usec(client, "set", info)
            reads = info["total_reads_processed"] - 1  # minus this INFO
            assert calls == 1000, server.build
            runs.append((wall, usec, reads))
        rows.append((label, *min(runs)))
    server.stop()
    lines = [
        "| 1,000 `SET`s | time seen by the client | time the server spent executing them "
        "| socket reads by the server |",
        "|---|---|---|---|",
    ]
    for label, wall, usec, reads in rows:
        lines.append(f"| {label} | {wall * 1000:.1f} ms | {usec / 1000:.1f} ms | {reads:,} |")
    return "\n".join(lines)


def test_round_trips_dominate(private_redis, results):
    tables = on_each_build(
        lambda build: round_trips_table(private_redis(name=build.name, build=build)), parallel=False
    )
    results("redis/round_trips.md", by_build(tables, vary=True), vary=True)


def busy_reply(server) -> str:
    script_client, other = server.client(), server.client(decode_responses=True)
    other.ping()  # connect before the script starts
    result = {}
    script = threading.Thread(target=lambda: result.update(reply=script_client.eval(BUSY_LOOP, 0, 1_500_000)))
    script.start()
    time.sleep(0.5)  # the script has been running for 0.5 s, past the 100 ms threshold
    with pytest.raises(redis.exceptions.ResponseError) as busy:
        other.ping()
    script.join(10)
    assert result["reply"] == b"done", server.build
    io_threads = other.config_get("io-threads")["io-threads"]
    assert io_threads == "2", server.build
    return (
        f"A private server with `io-threads {io_threads}` runs a Lua script that loops for 1.5 s. "
        f"Half a second in, another client sends `PING` and gets:\n\n"
        f"```text\n{busy.value}\n```"
    )


def test_a_running_script_blocks_every_other_client(private_redis, results):
    texts = on_each_build(
        lambda build: busy_reply(
            private_redis("--io-threads", "2", "--busy-reply-threshold", "100", name=build.name, build=build)
        )
    )
    busy = {build: text.split("```text\n")[1].removesuffix("\n```") for build, text in texts.items()}
    assert busy == {  # Valkey names itself in the error
        REDIS_8_0: "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        VALKEY_8_1: "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        REDIS_7_0: "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
    }
    results("redis/single_thread.md", by_build(texts))


def keys_vs_scan(private_redis, build: Build) -> tuple[float, str]:
    server = private_redis("--enable-debug-command", "yes", name=build.name, build=build)
    client = server.client()
    client.execute_command("DEBUG", "POPULATE", 200_000, "session")  # session:0 .. session:199999
    keys_runs = []
    for _ in range(RUNS):  # the fastest KEYS counts (the test machine is shared)
        client.config_resetstat()
        assert len(client.keys("session:1999*")) == 111, build  # 1999, 19990-19999, 199900-199999
        keys_runs.append(server_usec(client, "keys")[1])
    keys_usec = min(keys_runs)
    client.config_resetstat()
    cursor, steps = 0, 0
    while True:
        cursor, _ = client.scan(cursor=cursor, match="session:1999*", count=1000)
        steps += 1
        if cursor == 0:
            break
    scan_calls, scan_usec = server_usec(client, "scan")
    assert scan_calls == steps, build
    server.stop()
    return keys_usec, (
        "| 200,000 keys, pattern `session:1999*` | server calls | server time per call |\n|---|---|---|\n"
        f"| `KEYS` | 1 | {keys_usec / 1000:.1f} ms |\n"
        f"| `SCAN ... COUNT 1000` | {scan_calls:,} | {scan_usec / scan_calls / 1000:.2f} ms |"
    )


def test_keys_blocks_for_the_whole_keyspace_scan_does_not(private_redis, results):
    measured = on_each_build(lambda build: keys_vs_scan(private_redis, build), parallel=False)
    keys_usec = {build: usec for build, (usec, _) in measured.items()}
    # Valkey 8.1 walks the key space faster (5 runs of each on the loaded test machine: 9-32 ms against 56-249 ms
    # on Redis 8.0 and 157-242 ms on Redis 7.0), but it walks all of it just the same
    assert keys_usec[VALKEY_8_1] < min(keys_usec[REDIS_8_0], keys_usec[REDIS_7_0]), keys_usec
    results("redis/keys_vs_scan.md", by_build({b: table for b, (_, table) in measured.items()}, vary=True), vary=True)
