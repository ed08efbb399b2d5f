"""Back-pressure: what happens when a producer outruns its consumers and a limit is reached.

Redis: a private redis-server with `--maxmemory 2mb` (with `noeviction`, then with `allkeys-lru`, a
typical cache setting), filled with 1,000-byte jobs in one list; and a stream capped with
`XADD ... MAXLEN 100`. RabbitMQ, in a throwaway vhost: a queue with `x-max-length` 100, with the
default overflow behaviour (`drop-head`) and with `x-overflow: reject-publish`, published to with
publisher confirms. Nobody consumes. The table the page shows is
snippets/compare/results/backpressure.md (`--update-examples` writes it).
"""

from __future__ import annotations

import pika
import pika.exceptions
import pytest
import redis

pytestmark = pytest.mark.page("compare.md")

BODY = b"x" * 1000
LIMIT, SENT = 100, 150


@pytest.fixture
def amqp_channel(new_vhost):
    with new_vhost("compare-backpressure") as vhost:
        conn = pika.BlockingConnection(pika.URLParameters(vhost.url))
        channel = conn.channel()
        channel.confirm_delivery()
        yield channel
        conn.close()


def redis_list_full(private_redis, policy: str, pushes: int = 5000) -> tuple[int, int, str, int]:
    """(pushes accepted, jobs in the list at the end, first error, keys evicted) on a 2 MB server."""
    server = private_redis("--maxmemory", "2mb", "--maxmemory-policy", policy, name=f"redis-{policy}")
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


def test_what_a_full_queue_does(private_redis, amqp_channel, results):
    rows, measured = [], {}

    accepted, kept, error, evicted = redis_list_full(private_redis, "noeviction")
    assert evicted == 0
    assert error.startswith("OutOfMemoryError: command not allowed"), error
    assert 0 < kept == accepted < 5000
    measured["noeviction"] = accepted
    rows.append(f"| Redis list, `maxmemory 2mb`, `noeviction` | {accepted:,} jobs accepted, then `LPUSH` failed: "
                f"`{error}` | yes: an error reply (redis-py raises `OutOfMemoryError`) |")

    accepted, kept, error, evicted = redis_list_full(private_redis, "allkeys-lru")
    assert error == "" and accepted == 5000 and kept < accepted and evicted > 0  # "jobs" is the only key
    rows.append(f"| Redis list, `maxmemory 2mb`, `allkeys-lru` | all 5,000 `LPUSH` succeeded; the list, the only key, "
                f"was evicted whole along the way (`INFO` `evicted_keys`: {evicted}) and held "
                f"{kept:,} jobs at the end | no |")

    r = private_redis(name="redis-stream").client()
    for i in range(1, SENT + 1):
        r.xadd("jobs", {"n": i}, maxlen=LIMIT, approximate=False)
    first = r.xrange("jobs", count=1)[0][1][b"n"].decode()
    assert (r.xlen("jobs"), first) == (LIMIT, str(SENT - LIMIT + 1))
    rows.append(f"| Redis stream, `XADD ... MAXLEN {LIMIT}` | {SENT} added, {LIMIT} kept: the oldest {SENT - LIMIT} "
                f"trimmed (the stream starts at job {first}) | no |")

    for overflow in ("drop-head", "reject-publish"):
        queue = f"jobs.{overflow}"
        amqp_channel.queue_declare(queue, durable=True, arguments={"x-max-length": LIMIT, "x-overflow": overflow})
        confirmed = nacked = 0
        for i in range(1, SENT + 1):
            try:
                amqp_channel.basic_publish("", queue, str(i).encode(), pika.BasicProperties(delivery_mode=2))
                confirmed += 1
            except pika.exceptions.NackError:
                nacked += 1
        depth = amqp_channel.queue_declare(queue, passive=True).method.message_count
        method, _props, body = amqp_channel.basic_get(queue, auto_ack=True)
        measured[overflow] = (confirmed, nacked, depth, body.decode())
        if overflow == "drop-head":
            assert measured[overflow] == (SENT, 0, LIMIT, str(SENT - LIMIT + 1))
            rows.append(f"| RabbitMQ queue, `x-max-length: {LIMIT}` (overflow `drop-head`, the default) | all {SENT} "
                        f"confirmed, {LIMIT} kept: the oldest {SENT - LIMIT} dropped (the queue starts at job "
                        f"{body.decode()}) | no (dead-letter them to keep them) |")
        else:
            assert measured[overflow] == (LIMIT, SENT - LIMIT, LIMIT, "1")
            rows.append(f"| RabbitMQ queue, `x-max-length: {LIMIT}`, `x-overflow: reject-publish` | {confirmed} "
                        f"confirmed, the last {nacked} refused "
                        "| yes: a `basic.nack` per refused message (pika: `NackError`) |")
        amqp_channel.queue_delete(queue)

    table = "\n".join(["| Limit (nobody consumes; 1,000-byte jobs) | What happened | Does the producer learn? |",
                       "|---|---|---|", *rows])
    results("compare/backpressure.md", table, vary=True)
