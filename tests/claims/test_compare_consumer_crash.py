"""Delivery guarantees, proven with kill -9: a consumer takes job `a` of three (a, b, c) and dies.

Each consumer is a child process that takes one job, prints it, and then "works" until the test
kills it with SIGKILL (no cleanup, no goodbye on the connection). Then a new consumer takes what it
can, and the test looks for `a`. Redis runs on a private redis-server, RabbitMQ in a throwaway vhost.
The table the Redis vs RabbitMQ page shows is snippets/compare/results/consumer_crash.md, written
by this test (`--update-examples`) and compared with every run.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pika
import pytest
from services.errors import wait_until
from services.rabbitmq import Vhost

JOBS = ["a", "b", "c"]

# The crashing consumers: argv[1] is the server URL. Each prints the job it took, then waits to be killed.
CONSUMERS = {
    "redis-brpop": """
        import redis, sys, time
        r = redis.Redis.from_url(sys.argv[1], decode_responses=True)
        _key, job = r.brpop(["jobs"], timeout=5)
        print(job, flush=True)
        time.sleep(60)
    """,
    "redis-blmove": """
        import redis, sys, time
        r = redis.Redis.from_url(sys.argv[1], decode_responses=True)
        job = r.blmove("jobs", "jobs:processing", 5, "RIGHT", "LEFT")
        print(job, flush=True)
        time.sleep(60)
    """,
    "redis-stream": """
        import redis, sys, time
        r = redis.Redis.from_url(sys.argv[1], decode_responses=True)
        [(_, [(_id, fields)])] = r.xreadgroup("workers", "crashed", {"jobs": ">"}, count=1, block=5000)
        print(fields["job"], flush=True)
        time.sleep(60)
    """,
    "rabbitmq-ack": """
        import pika, sys, time
        ch = pika.BlockingConnection(pika.URLParameters(sys.argv[1])).channel()
        ch.basic_qos(prefetch_count=1)
        for method, _props, body in ch.consume("jobs", inactivity_timeout=5):
            print(body.decode(), flush=True)
            time.sleep(60)
    """,
    "rabbitmq-autoack": """
        import pika, sys, time
        ch = pika.BlockingConnection(pika.URLParameters(sys.argv[1])).channel()
        ch.basic_qos(prefetch_count=1)
        for method, _props, body in ch.consume("jobs", auto_ack=True, inactivity_timeout=5):
            print(body.decode(), flush=True)
            time.sleep(60)
    """,
}


def crash_after_first_job(kind: str, url: str, settled=None) -> str:
    """Start the consumer, wait until it says which job it took (and until `settled()`), kill -9 it; return that job."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(CONSUMERS[kind]), url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        taken = proc.stdout.readline().strip()
        assert taken, proc.stderr.read() if proc.poll() is not None else "consumer printed nothing"
        if settled:
            wait_until(settled, timeout=10, what=f"the broker's view of the {kind} consumer to settle")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    return taken


@pytest.fixture
def amqp_url():
    with Vhost(prefix="compare-crash") as vhost:
        yield vhost.url


def redis_list(server, kind: str) -> tuple[list[str], str]:
    r = server.client(decode_responses=True)
    r.lpush("jobs", *JOBS)  # LPUSH a, b, c + pop from the right = first in, first out
    assert crash_after_first_job(kind, server.url) == "a"
    after = []
    while job := r.rpop("jobs") if kind == "redis-brpop" else r.lmove("jobs", "jobs:processing", "RIGHT", "LEFT"):
        after.append(job)
    if kind == "redis-brpop":
        where = "gone: nowhere in Redis" if "a" not in r.lrange("jobs", 0, -1) else "?"
    else:
        for job in after:  # the new consumer finishes its jobs and removes them
            r.lrem("jobs:processing", 1, job)
        processing = r.lrange("jobs:processing", 0, -1)
        where = "kept in `jobs:processing`: a recovery step must move it back" if processing == ["a"] else "?"
    r.delete("jobs", "jobs:processing")
    return after, where


def redis_stream(server) -> tuple[list[str], str]:
    r = server.client(decode_responses=True)
    r.xgroup_create("jobs", "workers", id="0", mkstream=True)
    for job in JOBS:
        r.xadd("jobs", {"job": job})
    assert crash_after_first_job("redis-stream", server.url) == "a"
    reply = r.xreadgroup("workers", "new", {"jobs": ">"}, count=10, block=1000)
    entries = reply[0][1] if reply else []
    after = [fields["job"] for _id, fields in entries]
    if entries:
        r.xack("jobs", "workers", *[entry_id for entry_id, _ in entries])  # the new consumer did b and c
    [pending] = r.xpending_range("jobs", "workers", min="-", max="+", count=10, consumername="crashed")
    _next, claimed, _deleted = r.xautoclaim("jobs", "workers", "new", min_idle_time=0)
    [(_id, fields)] = claimed
    [again] = r.xpending_range("jobs", "workers", min="-", max="+", count=10, consumername="new")
    assert (fields["job"], pending["times_delivered"], again["times_delivered"]) == ("a", 1, 2)
    r.delete("jobs")
    return after, "pending for `crashed` (`XPENDING`); `XAUTOCLAIM` hands it to `new`, delivery count 2"


def rabbitmq(url: str, kind: str) -> tuple[list[str], str]:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    ch = conn.channel()
    ch.confirm_delivery()
    ch.queue_declare("jobs", durable=True)
    for job in JOBS:
        ch.basic_publish("", "jobs", job.encode(), pika.BasicProperties(delivery_mode=2))
    def ready() -> int:
        return ch.queue_declare("jobs", passive=True).method.message_count

    # Before the kill: with manual acks, `a` is out (unacked) and `b`, `c` wait in the queue; with
    # auto_ack the broker sends every ready message at once (prefetch applies only to unacked ones).
    expected = 2 if kind == "rabbitmq-ack" else 0
    assert crash_after_first_job(kind, url, settled=lambda: ready() == expected) == "a"
    if kind == "rabbitmq-ack":  # the broker sees the dead connection and requeues `a`
        wait_until(lambda: ready() == 3, timeout=10, what="the unacked job to be requeued")
    after, redelivered = [], {}
    for method, _props, body in ch.consume("jobs", inactivity_timeout=2):
        if method is None:
            break
        ch.basic_ack(method.delivery_tag)
        after.append(body.decode())
        redelivered[body.decode()] = method.redelivered
    ch.cancel()
    ch.queue_delete("jobs")
    conn.close()
    if "a" in after:
        assert redelivered == {"a": True, "b": False, "c": False}, redelivered
        return [f"{job} (redelivered)" if redelivered[job] else job for job in after], "back in the queue, first in line"
    if not after:  # without acks, prefetch does not apply: the broker sent all three at once
        return after, "gone, and `b` and `c` with it: all three had been sent to the killed consumer"
    return after, "gone: acknowledged automatically on delivery"


def test_what_a_killed_consumer_leaves_behind(private_redis, amqp_url, compare_outcome):
    server = private_redis()
    cases = [
        ("Redis list, `BRPOP`", lambda: redis_list(server, "redis-brpop")),
        ("Redis list, `BLMOVE` to a processing list", lambda: redis_list(server, "redis-blmove")),
        ("Redis stream, consumer group + `XACK`", lambda: redis_stream(server)),
        ("RabbitMQ, manual ack (`basic_ack`)", lambda: rabbitmq(amqp_url, "rabbitmq-ack")),
        ("RabbitMQ, `auto_ack=True`", lambda: rabbitmq(amqp_url, "rabbitmq-autoack")),
    ]
    measured, rows = {}, []
    for name, run in cases:
        after, where = run()
        measured[name] = after
        shown = ", ".join(f"`{job}`" if " " not in job else f"`{job.split()[0]}` {job.split(' ', 1)[1]}" for job in after)
        rows.append(f"| {name} | {shown or 'nothing'} | {where} |")
    table = "\n".join(["| Queue and consumer | A new consumer then got | Job `a` |", "|---|---|---|", *rows])
    print(table)
    # the claims the page makes, independent of the table's wording
    assert measured["Redis list, `BRPOP`"] == ["b", "c"]
    assert measured["Redis list, `BLMOVE` to a processing list"] == ["b", "c"]
    assert measured["Redis stream, consumer group + `XACK`"] == ["b", "c"]
    assert measured["RabbitMQ, manual ack (`basic_ack`)"] == ["a (redelivered)", "b", "c"]
    assert measured["RabbitMQ, `auto_ack=True`"] == []
    compare_outcome("consumer_crash.md", table)
