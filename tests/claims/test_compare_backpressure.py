"""Back-pressure: what happens when a producer outruns its consumers and a limit is reached.

Redis: a private redis-server with `--maxmemory 2mb` (with `noeviction`, then with `allkeys-lru`, a
typical cache setting), filled with 1,000-byte jobs in one list; and a stream capped with
`XADD ... MAXLEN 100`. RabbitMQ, in a throwaway vhost: a queue with `x-max-length` 100, with the
default overflow behaviour (`drop-head`) and with `x-overflow: reject-publish`, published to with
publisher confirms. Nobody consumes. Measured on every build (services/generations.py), all at once: Redis 8.0,
Valkey 8.1 and Redis 7.0 (private servers of their own), RabbitMQ 4.0 and 3.10 (a vhost on the session's node of
each). The table the page shows is snippets/compare/results/backpressure.md (results.by_server;
`--update-examples` writes it).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pika
import pika.exceptions
import pytest
import redis
from services.generations import RABBITMQ_BUILDS, REDIS_BUILDS, Build
from services.procs import eventually
from services.results import by_server

pytestmark = pytest.mark.page("compare.md")

BODY = b"x" * 1000
LIMIT, SENT = 100, 150
VALKEY_FILLS = 5
HEADER = "| Limit (nobody consumes; 1,000-byte jobs) | What happened | Does the producer learn? |\n|---|---|---|"


def redis_list_full(server, pushes: int = 5000) -> tuple[int, int, str, int]:
    """(pushes accepted, jobs in the list at the end, first error, keys evicted) on a 2 MB server."""
    r = server.client()
    accepted, error = 0, ""
    for _ in range(pushes):
        try:
            r.lpush("jobs", BODY)
        except redis.ResponseError as exc:
            error = f"{type(exc).__name__}: {exc}"
            break
        accepted += 1
    return accepted, r.llen("jobs"), error, r.info("stats")["evicted_keys"]


def refill(server) -> tuple[int, int, str, int]:
    """redis_list_full on an emptied server (private: FLUSHALL is ours), its lazy frees done and its stats reset."""
    r = server.client()
    r.flushall()
    eventually(lambda: r.info("memory")["lazyfree_pending_objects"] == 0, timeout=10, what="lazy frees done")
    r.config_resetstat()
    return redis_list_full(server)


def redis_rows(servers: dict) -> str:
    """The Redis rows, on one build's servers: {"noeviction": ..., "allkeys-lru": ..., "stream": ...}."""
    rows = []
    accepted, kept, error, evicted = redis_list_full(servers["noeviction"])
    assert evicted == 0
    assert error.startswith("OutOfMemoryError: command not allowed"), error
    assert 0 < kept == accepted < 5000
    rows.append(f"| Redis list, `maxmemory 2mb`, `noeviction` | {accepted:,} jobs accepted, then `LPUSH` failed: "
                f"`{error}` | yes: an error reply (redis-py raises `OutOfMemoryError`) |")

    lru = servers["allkeys-lru"]
    # Valkey 8 frees an evicted key in a background thread by default (Redis: at once), and the write that needed the
    # memory waits for that thread only briefly (evict.c): it fails if the list is not freed yet. A race: refused in
    # most fills here, not all (a loaded host's main thread oversleeps its short wait). Hence several fills.
    lazy = lru.client().config_get("lazyfree-lazy-eviction")["lazyfree-lazy-eviction"]
    assert lazy == ("yes" if lru.build.server == "valkey-server" else "no"), (lru.build, lazy)
    fills = [redis_list_full(lru)] if lazy == "no" else [refill(lru) for _ in range(VALKEY_FILLS)]
    for accepted, kept, error, evicted in fills:
        assert evicted > 0 and (error.startswith("OutOfMemoryError: command not allowed") and kept == 0
                                or (error, accepted) == ("", 5000) and 0 < kept < accepted), (lru.build, fills)
    refused = [f for f in fills if f[2]]
    if lazy == "no":
        (accepted, kept, error, evicted), = fills
        assert not refused, (lru.build, fills)
        rows.append(f"| Redis list, `maxmemory 2mb`, `allkeys-lru` | all 5,000 `LPUSH` succeeded; the list, the only "
                    f"key, was evicted whole along the way (`INFO` `evicted_keys`: {evicted}) and held "
                    f"{kept:,} jobs at the end | no |")
    else:
        assert refused, (lru.build, fills)  # the claim: a write after the eviction can be refused
        accepted, _kept, error, evicted = refused[0]
        rows.append(f"| Redis list, `maxmemory 2mb`, `allkeys-lru` | the list, the only key, was evicted whole "
                    f"(`INFO` `evicted_keys`: {evicted}), then, {accepted:,} jobs in, `LPUSH` failed: `{error}` "
                    "(`lazyfree-lazy-eviction yes`: the evicted list is freed in a background thread, and the write "
                    f"waits for it only briefly: a race, which the write lost in {len(refused)} of {len(fills)} fills) "
                    "| an error, once the jobs were gone |")

    r = servers["stream"].client()
    for i in range(1, SENT + 1):
        r.xadd("jobs", {"n": i}, maxlen=LIMIT, approximate=False)
    first = r.xrange("jobs", count=1)[0][1][b"n"].decode()
    assert (r.xlen("jobs"), first) == (LIMIT, str(SENT - LIMIT + 1))
    rows.append(f"| Redis stream, `XADD ... MAXLEN {LIMIT}` | {SENT} added, {LIMIT} kept: the oldest {SENT - LIMIT} "
                f"trimmed (the stream starts at job {first}) | no |")
    return "\n".join(rows)


def rabbitmq_rows(node) -> str:
    rows = []
    with node.vhost("compare-backpressure") as vhost, pika.BlockingConnection(pika.URLParameters(vhost.url)) as conn:
        channel = conn.channel()
        channel.confirm_delivery()
        for overflow in ("drop-head", "reject-publish"):
            queue = f"jobs.{overflow}"
            channel.queue_declare(queue, durable=True, arguments={"x-max-length": LIMIT, "x-overflow": overflow})
            confirmed = nacked = 0
            for i in range(1, SENT + 1):
                try:
                    channel.basic_publish("", queue, str(i).encode(), pika.BasicProperties(delivery_mode=2))
                    confirmed += 1
                except pika.exceptions.NackError:
                    nacked += 1
            depth = channel.queue_declare(queue, passive=True).method.message_count
            _method, _props, body = channel.basic_get(queue, auto_ack=True)
            measured = (confirmed, nacked, depth, body.decode())
            if overflow == "drop-head":
                assert measured == (SENT, 0, LIMIT, str(SENT - LIMIT + 1)), (node.build, measured)
                rows.append(f"| RabbitMQ queue, `x-max-length: {LIMIT}` (overflow `drop-head`, the default) | all "
                            f"{SENT} confirmed, {LIMIT} kept: the oldest {SENT - LIMIT} dropped (the queue starts at "
                            f"job {body.decode()}) | no (dead-letter them to keep them) |")
            else:
                assert measured == (LIMIT, SENT - LIMIT, LIMIT, "1"), (node.build, measured)
                rows.append(f"| RabbitMQ queue, `x-max-length: {LIMIT}`, `x-overflow: reject-publish` | {confirmed} "
                            f"confirmed, the last {nacked} refused "
                            "| yes: a `basic.nack` per refused message (pika: `NackError`) |")
            channel.queue_delete(queue)
    return "\n".join(rows)


def test_what_a_full_queue_does(private_redis, build_node, results):
    def servers(build: Build) -> dict:
        full = {policy: private_redis("--maxmemory", "2mb", "--maxmemory-policy", policy, name=f"{build}-{policy}",
                                      build=build) for policy in ("noeviction", "allkeys-lru")}  # fmt: skip
        return {**full, "stream": private_redis(name=f"{build}-stream", build=build)}

    redis_servers = {build: servers(build) for build in REDIS_BUILDS}
    with ThreadPoolExecutor(len(REDIS_BUILDS) + len(RABBITMQ_BUILDS)) as pool:  # every build at once
        on_redis = {build: pool.submit(redis_rows, redis_servers[build]) for build in REDIS_BUILDS}
        on_rabbitmq = {build: pool.submit(lambda b: rabbitmq_rows(build_node(b)), build) for build in RABBITMQ_BUILDS}
        table = by_server(HEADER, {b: f.result() for b, f in on_redis.items()},
                          {b: f.result() for b, f in on_rabbitmq.items()})  # fmt: skip
    print(table)
    results("compare/backpressure.md", table, vary=True)
