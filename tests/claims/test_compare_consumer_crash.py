"""Delivery guarantees, proven with kill -9: a consumer takes job `a` of three (a, b, c) and dies.

Each consumer is a child process (programs/crashing_consumer.py) that takes one job, prints it, and then
"works" until the test kills it with SIGKILL (no cleanup, no goodbye on the connection). Then a new consumer
takes what it can, and the test looks for `a`. Measured on every build (services/generations.py), all at once:
Redis on a private server of each Redis build (Redis 8.0, Valkey 8.1, Redis 7.0), RabbitMQ in a throwaway vhost on
the session's node of each RabbitMQ build (4.0, 3.10). The table the Redis vs RabbitMQ page shows is
snippets/compare/results/consumer_crash.md (results.by_server), written by this test (`--update-examples`) and
compared with every run.
"""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pika
import pytest
from services import snippets
from services.generations import RABBITMQ_BUILDS, REDIS_BUILDS
from services.paths import PROGRAMS
from services.procs import eventually, stop
from services.results import by_server

pytestmark = pytest.mark.page("compare.md")

JOBS = ["a", "b", "c"]


def crash_after_first_job(kind: str, url: str, log, settled=None) -> str:
    """Start the consumer (programs/crashing_consumer.py), wait until it says which job it took (and until
    `settled()`), kill -9 it; return that job."""
    with snippets.background(PROGRAMS / "crashing_consumer.py", kind, url, log=log) as proc:
        try:
            taken = eventually(lambda: log.read_text().strip() if proc.poll() is None else "(exited)", 10,
                               what=f"the {kind} consumer to take a job")
            assert taken != "(exited)", log.read_text()
            if settled:
                eventually(settled, 10, what=f"the broker's view of the {kind} consumer to settle")
        finally:
            stop(proc, sig=signal.SIGKILL)
    return taken


def redis_list(server, kind: str, log) -> tuple[list[str], str]:
    r = server.client(decode_responses=True)
    r.lpush("jobs", *JOBS)  # LPUSH a, b, c + pop from the right = first in, first out
    assert crash_after_first_job(kind, server.url, log) == "a"
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


def redis_stream(server, log) -> tuple[list[str], str]:
    r = server.client(decode_responses=True)
    r.xgroup_create("jobs", "workers", id="0", mkstream=True)
    for job in JOBS:
        r.xadd("jobs", {"job": job})
    assert crash_after_first_job("redis-stream", server.url, log) == "a"
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


def rabbitmq(url: str, kind: str, log) -> tuple[list[str], str]:
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
    assert crash_after_first_job(kind, url, log, settled=lambda: ready() == expected) == "a"
    if kind == "rabbitmq-ack":  # the broker sees the dead connection and requeues `a`
        eventually(lambda: ready() == 3, 10, what="the unacked job to be requeued")
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
        jobs = [f"{job} (redelivered)" if redelivered[job] else job for job in after]
        return jobs, "back in the queue, first in line"
    if not after:  # without acks, prefetch does not apply: the broker sent all three at once
        return after, "gone, and `b` and `c` with it: all three had been sent to the killed consumer"
    return after, "gone: acknowledged automatically on delivery"


HEADER = "| Queue and consumer | A new consumer then got | Job `a` |\n|---|---|---|"
# the claims the page makes, independent of the table's wording: what a new consumer got, on every build
REDIS_CASES = {
    "Redis list, `BRPOP`": (lambda server, log: redis_list(server, "redis-brpop", log), ["b", "c"]),
    "Redis list, `BLMOVE` to a processing list": (lambda server, log: redis_list(server, "redis-blmove", log),
                                                  ["b", "c"]),
    "Redis stream, consumer group + `XACK`": (redis_stream, ["b", "c"]),
}
RABBITMQ_CASES = {
    "RabbitMQ, manual ack (`basic_ack`)": (lambda url, log: rabbitmq(url, "rabbitmq-ack", log),
                                           ["a (redelivered)", "b", "c"]),
    "RabbitMQ, `auto_ack=True`": (lambda url, log: rabbitmq(url, "rabbitmq-autoack", log), []),
}


def rows(cases: dict, target, logs) -> tuple[str, dict[str, list[str]]]:
    """Run each case against `target` (a Redis server, a vhost URL) one after the other: (table rows, what each
    new consumer got)."""
    lines, measured = [], {}
    for n, (name, (run, _expected)) in enumerate(cases.items()):
        after, where = run(target, logs / f"consumer-{n}.log")
        measured[name] = after
        shown = ", ".join(f"`{job}`" if " " not in job else "`{}` {}".format(*job.split(" ", 1)) for job in after)
        lines.append(f"| {name} | {shown or 'nothing'} | {where} |")
    return "\n".join(lines), measured


def test_what_a_killed_consumer_leaves_behind(private_redis, build_node, results, tmp_path):
    servers = {build: private_redis(build=build, name=build.name) for build in REDIS_BUILDS}
    with ThreadPoolExecutor(len(RABBITMQ_BUILDS)) as pool:  # a node not started yet takes seconds
        nodes = dict(zip(RABBITMQ_BUILDS, pool.map(build_node, RABBITMQ_BUILDS), strict=True))
    with ExitStack() as stack:
        urls = {build: stack.enter_context(node.vhost("compare-crash")).url for build, node in nodes.items()}
        jobs = [(build, REDIS_CASES, server) for build, server in servers.items()]
        jobs += [(build, RABBITMQ_CASES, url) for build, url in urls.items()]
        for build, *_ in jobs:
            (tmp_path / "logs" / build.name).mkdir(parents=True)
        with ThreadPoolExecutor(len(jobs)) as pool:  # every build at once: each has its own server or vhost
            done = dict(zip([build for build, *_ in jobs],
                            pool.map(lambda job: rows(job[1], job[2], tmp_path / "logs" / job[0].name), jobs),
                            strict=True))  # fmt: skip
    for build, cases, _target in jobs:
        measured = done[build][1]
        assert measured == {name: expected for name, (_run, expected) in cases.items()}, (build, measured)
    table = by_server(HEADER, {b: done[b][0] for b in REDIS_BUILDS}, {b: done[b][0] for b in RABBITMQ_BUILDS})
    print(table)
    results("compare/consumer_crash.md", table)
