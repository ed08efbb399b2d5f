"""maxmemory and eviction policies, on private servers started with the page's small-memory flags.

Each policy gets a fresh server (`--maxmemory 2mb --maxmemory-policy <policy>`); 5,000 writes of 1 kB
(every other key with a TTL) go in through a pipeline, and the test counts what was refused and
what was kept. The counts depend on allocator details, so the page's table
(snippets/redis/results/eviction.md) keeps the numbers of the run that wrote it; the claims the page
makes are asserted here on every run.
"""

from __future__ import annotations

import pytest
import redis
from services.redis_servers import small_memory_flags

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


def test_eviction_policies_under_a_2mb_limit(private_redis, results):
    counts = {}
    for policy in POLICIES:
        server = private_redis(*small_memory_flags(policy), name=f"evict-{policy}")
        counts[policy] = c = fill(server.client())
        server.stop()
        if policy == "noeviction":
            assert c["refused"] > 0 and c["evicted"] == 0  # writes fail, nothing is dropped
        elif policy.startswith("allkeys"):
            assert c["refused"] == 0 and c["evicted"] > 0  # every write lands, old keys go
            assert c["kept_ttl"] + c["kept_no_ttl"] + c["evicted"] == WRITES
        else:  # volatile-*: only keys with a TTL are candidates
            assert c["kept_ttl"] == 0 and c["kept_no_ttl"] + c["evicted"] == c["accepted"]  # no TTL: never evicted
            assert c["evicted"] > 0 and c["refused"] > 0  # once no TTL key is left, writes fail
    lines = [
        "| `maxmemory-policy` | writes accepted | refused (OOM error) | evicted | kept: with TTL | kept: without TTL |",
        "|---|---|---|---|---|---|",
    ]
    for policy, c in counts.items():
        lines.append(
            f"| `{policy}` | {c['accepted']:,} | {c['refused']:,} | {c['evicted']:,} | {c['kept_ttl']:,} "
            f"| {c['kept_no_ttl']:,} |"
        )
    results("redis/eviction.md", "\n".join(lines), vary=True)


def test_reads_can_evict_near_the_limit(private_redis):
    """Client reply buffers count toward maxmemory: big read replies near the limit make Redis evict keys."""
    server = private_redis(*small_memory_flags("allkeys-lru"))
    client = server.client()
    fill(client)
    before = client.dbsize()
    for _ in client.scan_iter("k:*", count=1000):  # read-only commands with big replies
        pass
    after = client.dbsize()
    assert after < before, (before, after)
