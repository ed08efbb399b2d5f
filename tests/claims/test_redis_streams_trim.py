"""Stream trimming and consumer groups, on a private server: what `MAXLEN`/`XTRIM` do to work nobody acknowledged.
On every Redis build (Redis 8.0, Valkey 8.1, Redis 7.0: services/generations.py), side by side.

Five entries are delivered to `worker-1` and never acknowledged (the worker "crashed"), then the
stream is trimmed to 2 entries. The test asserts and the Data types page shows
(snippets/redis/results/stream_trim.md):

- the trim deletes the 3 oldest entries although they are pending: `XLEN` 2, `XPENDING` still 5;
- the same consumer name re-reading id `0` gets 5 ids, 3 of them without fields (the data is gone);
- a consumer restarted under a new name gets nothing back;
- `XAUTOCLAIM` returns the 2 surviving entries and, as its third element, the 3 ids whose entries
  were trimmed, and drops them from the pending list;
- trimming with `MINID` set to the oldest pending id deletes only acknowledged entries.
"""

from __future__ import annotations

import pytest
import redis
from services.each_build import on_each_build
from services.results import by_build

pytestmark = pytest.mark.page("redis/data-types.md")

STREAM, GROUP = "jobs", "workers"


def delivered_unacked(r: redis.Redis) -> list[str]:
    """A fresh stream with 5 entries, all delivered to worker-1 and none acknowledged."""
    r.delete(STREAM)
    r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    ids = [r.xadd(STREAM, {"n": n}) for n in range(1, 6)]
    [(_, entries)] = r.xreadgroup(GROUP, "worker-1", {STREAM: ">"}, count=5)
    assert [entry_id for entry_id, _ in entries] == ids
    return ids


def pending_count(r: redis.Redis) -> int:
    return r.xpending(STREAM, GROUP)["pending"]


def stream_trim_table(server) -> str:
    r = server.client(decode_responses=True)
    rows = []

    ids = delivered_unacked(r)
    deleted = r.xtrim(STREAM, maxlen=2, approximate=False)
    assert deleted == 3 and r.xlen(STREAM) == 2 and pending_count(r) == 5
    rows.append(
        (
            "`XTRIM jobs MAXLEN 2`",
            f"{deleted} entries deleted, all of them pending; `XLEN` {r.xlen(STREAM)}, "
            f"`XPENDING` still {pending_count(r)}",
        )
    )

    [(_, same_name)] = r.xreadgroup(GROUP, "worker-1", {STREAM: "0"})
    empty = [entry_id for entry_id, fields in same_name if not fields]
    assert [entry_id for entry_id, _ in same_name] == ids and empty == ids[:3]
    rows.append(
        (
            "`worker-1` (same name) reads its pending entries from id `0`",
            f"{len(same_name)} ids, {len(empty)} of them without fields: the data is gone",
        )
    )

    [(_, new_name)] = r.xreadgroup(GROUP, "worker-1b", {STREAM: "0"})
    assert new_name == []
    rows.append(("`worker-1b` (restarted under a new name) reads from id `0`", f"{len(new_name)} entries"))

    _next, claimed, trimmed = r.xautoclaim(STREAM, GROUP, "worker-2", min_idle_time=0, start_id="0-0")
    assert [entry_id for entry_id, _ in claimed] == ids[3:] and trimmed == ids[:3]
    assert pending_count(r) == 2
    rows.append(
        (
            "`XAUTOCLAIM` by `worker-2`",
            f"{len(claimed)} entries claimed; third element: {len(trimmed)} ids of trimmed entries, "
            f"now dropped from the pending list (`XPENDING` {pending_count(r)})",
        )
    )

    ids = delivered_unacked(r)
    r.xack(STREAM, GROUP, *ids[:2])
    oldest_pending = r.xpending(STREAM, GROUP)["min"]
    deleted = r.xtrim(STREAM, minid=oldest_pending, approximate=False)
    [(_, kept)] = r.xreadgroup(GROUP, "worker-1", {STREAM: "0"})
    assert deleted == 2 and oldest_pending == ids[2] and [entry_id for entry_id, fields in kept if fields] == ids[2:]
    rows.append((
        "Again, `worker-1` acknowledges 2 of the 5; `XTRIM jobs MINID <oldest pending id>` instead",
        f"{deleted} entries deleted (the acknowledged ones); all {len(kept)} pending entries keep their fields",
    ))

    return "| Step (5 entries delivered to `worker-1`, none acknowledged) | Result |\n|---|---|\n" + "\n".join(
        f"| {step} | {result} |" for step, result in rows
    )


def test_trimming_deletes_entries_nobody_acknowledged(private_redis, results):
    tables = on_each_build(lambda build: stream_trim_table(private_redis(build=build, name=build.name)))
    results("redis/stream_trim.md", by_build(tables))
