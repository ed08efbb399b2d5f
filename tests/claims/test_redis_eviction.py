"""maxmemory and eviction policies, on private servers started with the page's small-memory flags, on every
Redis build (Redis 8.0, Valkey 8.1, Redis 7.0: services/generations.py), the builds side by side.

Each policy gets a fresh server (`--maxmemory 2mb --maxmemory-policy <policy>`); 5,000 writes of 1 kB
(every other key with a TTL) go in through a pipeline, and the test counts what was refused and
what was kept. The counts depend on allocator details and on the build's memory use per key, so the
page's table (snippets/redis/results/eviction.md, a tab per build) keeps the numbers of the run that
wrote it; the claims the page makes are asserted here on every run, for every build.
"""

from __future__ import annotations

import pytest
import redis
from services.each_build import on_each_build
from services.generations import REDIS_7_0, REDIS_8_0, VALKEY_8_1
from services.redis_servers import small_memory_flags
from services.results import by_build

pytestmark = pytest.mark.page("redis/memory-scaling.md")

WRITES = 5000
POLICIES = ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-ttl"]


def fill(client: redis.Redis) -> dict[str, int]:
    value = "x" * 1000
    with client.pipeline(transaction=False) as pipe:
        for i in range(WRITES):
            pipe.set(f"k:{i}", value, ex=3600 if i % 2 == 0 else None)
        results = pipe.execute(raise_on_error=False)
    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, redis.exceptions.OutOfMemoryError) for r in refused)
    # one INFO for all counts: even read commands can evict (their replies use memory too)
    info = client.info()
    keys = info.get("db0", {"keys": 0, "expires": 0})
    return {
        "accepted": len(results) - len(refused),
        "refused": len(refused),
        "kept_ttl": keys["expires"],
        "kept_no_ttl": keys["keys"] - keys["expires"],
        "evicted": info["evicted_keys"],
    }


def eviction_counts(private_redis, build) -> tuple[dict[str, dict[str, int]], int]:
    """What each policy accepted, refused, evicted and kept; and the empty `noeviction` server's
    `used_memory_startup` (it differs by a few hundred bytes from policy to policy: the folder names differ)."""
    counts, startup = {}, {}
    for policy in POLICIES:
        server = private_redis(*small_memory_flags(policy), name=f"evict-{policy}-{build.name}", build=build)
        client = server.client()
        startup[policy] = client.info("memory")["used_memory_startup"]
        counts[policy] = c = fill(client)
        server.stop()
        if policy == "noeviction":
            assert c["refused"] > 0 and c["evicted"] == 0, (build, c)  # writes fail, nothing is dropped
        elif policy.startswith("allkeys"):
            assert c["refused"] == 0 and c["evicted"] > 0, (build, c)  # every write lands, old keys go
            assert c["kept_ttl"] + c["kept_no_ttl"] + c["evicted"] == WRITES, (build, c)
        else:  # volatile-*: only keys with a TTL are candidates
            # no TTL: never evicted
            assert c["kept_ttl"] == 0 and c["kept_no_ttl"] + c["evicted"] == c["accepted"], (build, c)
            assert c["evicted"] > 0 and c["refused"] > 0, (build, c)  # once no TTL key is left, writes fail
    return counts, startup["noeviction"]


def eviction_table(counts: dict[str, dict[str, int]], startup: int) -> str:
    lines = [
        "| `maxmemory-policy` | writes accepted | refused (OOM error) | evicted | kept: with TTL | kept: without TTL |",
        "|---|---|---|---|---|---|",
    ]
    for policy, c in counts.items():
        lines.append(
            f"| `{policy}` | {c['accepted']:,} | {c['refused']:,} | {c['evicted']:,} | {c['kept_ttl']:,} "
            f"| {c['kept_no_ttl']:,} |"
        )
    lines.append(f"\nIn use before the first write (`used_memory_startup`): {startup / 1024 / 1024:.2f} MB.")
    return "\n".join(lines)


def test_eviction_policies_under_a_2mb_limit(private_redis, results):
    measured = on_each_build(lambda build: eviction_counts(private_redis, build))
    # Redis 8.0 starts with less memory in use, so more of the 2 MB holds keys: more writes fit than on the others
    startup = {build: used for build, (_, used) in measured.items()}
    fitted = {build: counts["noeviction"]["accepted"] for build, (counts, _) in measured.items()}
    for other in (VALKEY_8_1, REDIS_7_0):
        assert startup[REDIS_8_0] < startup[other] and fitted[REDIS_8_0] > fitted[other], (startup, fitted)
    tables = {build: eviction_table(*m) for build, m in measured.items()}
    results("redis/eviction.md", by_build(tables, vary=True), vary=True)


def test_reads_can_evict_near_the_limit(private_redis):
    """Client reply buffers count toward maxmemory: big read replies near the limit make Redis evict keys."""

    def reads_evict(build) -> tuple[int, int]:
        server = private_redis(*small_memory_flags("allkeys-lru"), name=f"reads-{build.name}", build=build)
        client = server.client()
        fill(client)
        before = client.dbsize()
        for _ in client.scan_iter("k:*", count=1000):  # read-only commands with big replies
            pass
        return before, client.dbsize()

    for build, (before, after) in on_each_build(reads_evict).items():
        assert after < before, (build, before, after)
