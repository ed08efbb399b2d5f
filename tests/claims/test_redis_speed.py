"""Why Redis is fast, and where the time really goes: measured on private servers, no thresholds.

- Round trips: 1,000 SETs one by one vs in one pipeline, wall time against the time the server spent
  executing them (INFO commandstats). The page's table is snippets/redis/results/round_trips.md.
- One command at a time: while a Lua script runs, every other client waits; with a 100 ms
  busy-reply-threshold they get a BUSY error instead. Shown with io-threads 2: I/O threads do not
  run commands. Result: snippets/redis/results/single_thread.md.
- KEYS vs SCAN: the server time of one KEYS over 200,000 keys vs one SCAN step. Result:
  snippets/redis/results/keys_vs_scan.md.
"""

from __future__ import annotations

import threading
import time

import pytest
import redis

pytestmark = pytest.mark.page("redis/index.md", "redis/mistakes.md")

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


def test_round_trips_dominate(private_redis, results):
    server = private_redis()
    client = server.client()
    rows = []
    for label in ("one by one", "one pipeline"):
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
        assert calls == 1000
        rows.append((label, wall, usec, reads))
    lines = [
        "| 1,000 `SET`s | time seen by the client | time the server spent executing them "
        "| socket reads by the server |",
        "|---|---|---|---|",
    ]
    for label, wall, usec, reads in rows:
        lines.append(f"| {label} | {wall * 1000:.1f} ms | {usec / 1000:.1f} ms | {reads:,} |")
    results("redis/round_trips.md", "\n".join(lines), vary=True)


def test_a_running_script_blocks_every_other_client(private_redis, results):
    server = private_redis("--io-threads", "2", "--busy-reply-threshold", "100")
    script_client, other = server.client(), server.client(decode_responses=True)
    other.ping()  # connect before the script starts
    result = {}
    script = threading.Thread(target=lambda: result.update(reply=script_client.eval(BUSY_LOOP, 0, 1_500_000)))
    script.start()
    time.sleep(0.5)  # the script has been running for 0.5 s, past the 100 ms threshold
    with pytest.raises(redis.exceptions.ResponseError) as busy:
        other.ping()
    script.join(10)
    assert result["reply"] == b"done"
    io_threads = other.config_get("io-threads")["io-threads"]
    assert io_threads == "2" and str(busy.value).startswith("BUSY Redis is busy running a script")
    results(
        "redis/single_thread.md",
        f"A private server with `io-threads {io_threads}` runs a Lua script that loops for 1.5 s. "
        f"Half a second in, another client sends `PING` and gets:\n\n"
        f"```text\n{busy.value}\n```",
    )


def test_keys_blocks_for_the_whole_keyspace_scan_does_not(private_redis, results):
    server = private_redis("--enable-debug-command", "yes")
    client = server.client()
    client.execute_command("DEBUG", "POPULATE", 200_000, "session")  # session:0 .. session:199999
    client.config_resetstat()
    assert len(client.keys("session:1999*")) == 111  # 1999, 19990-19999, 199900-199999
    _, keys_usec = server_usec(client, "keys")
    cursor, steps = 0, 0
    while True:
        cursor, _ = client.scan(cursor=cursor, match="session:1999*", count=1000)
        steps += 1
        if cursor == 0:
            break
    scan_calls, scan_usec = server_usec(client, "scan")
    assert scan_calls == steps
    results(
        "redis/keys_vs_scan.md",
        "| 200,000 keys, pattern `session:1999*` | server calls | server time per call |\n|---|---|---|\n"
        f"| `KEYS` | 1 | {keys_usec / 1000:.1f} ms |\n"
        f"| `SCAN ... COUNT 1000` | {scan_calls:,} | {scan_usec / scan_calls / 1000:.2f} ms |",
        vary=True,
    )
