"""Fan-out with a subscriber offline: what each kind of subscriber gets after it reconnects.

Each subscriber connects and receives one message (so it was really subscribed), disconnects,
5 messages are published while it is away, then it reconnects and counts what arrives within a
second. Measured on every build (services/generations.py), all at once: Redis on a private server of each Redis
build (Redis 8.0, Valkey 8.1, Redis 7.0), RabbitMQ in a throwaway vhost on the session's node of each RabbitMQ
build (4.0, 3.10). The table the Redis vs RabbitMQ page shows is snippets/compare/results/offline_subscriber.md
(results.by_server), written by this test (`--update-examples`) and compared with every run.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pika
import pika.exceptions
import pytest
from services.generations import RABBITMQ_BUILDS, REDIS_BUILDS
from services.procs import eventually
from services.results import by_server

pytestmark = pytest.mark.page("compare.md")

N = 5


def redis_pubsub(server) -> tuple[str, int]:
    r = server.client(decode_responses=True)

    def subscriber():
        sub = r.pubsub()
        sub.subscribe("news")
        assert sub.get_message(timeout=1)["type"] == "subscribe"
        return sub

    sub = subscriber()
    assert r.publish("news", "hello") == 1
    assert sub.get_message(timeout=1)["data"] == "hello"
    sub.close()  # offline
    eventually(lambda: r.pubsub_numsub("news") == [("news", 0)], 10, what="Redis to drop the subscriber")
    receivers = [r.publish("news", f"m{i}") for i in range(N)]
    sub = subscriber()
    got, deadline = 0, time.monotonic() + 1
    while (left := deadline - time.monotonic()) > 0:
        message = sub.get_message(timeout=left)
        got += bool(message and message["type"] == "message")
    sub.close()
    assert receivers == [0] * N
    return "`PUBLISH` returned 0 receivers each time", got


def redis_stream_group(server) -> tuple[str, int]:
    r = server.client(decode_responses=True)
    r.xgroup_create("news", "dashboard", id="$", mkstream=True)  # the subscriber's own group
    r.xadd("news", {"m": "hello"})
    [(_, entries)] = r.xreadgroup("dashboard", "d1", {"news": ">"}, block=1000)
    r.xack("news", "dashboard", entries[0][0])
    r.close()  # offline
    publisher = server.client()
    ids = [publisher.xadd("news", {"m": f"m{i}"}) for i in range(N)]
    r = server.client(decode_responses=True)
    reply = r.xreadgroup("dashboard", "d1", {"news": ">"}, count=100, block=1000)
    got = len(reply[0][1]) if reply else 0
    assert len(ids) == N
    return "`XADD` stored each entry in the stream", got


def queue_exists(params, queue: str) -> bool:
    conn = pika.BlockingConnection(params)
    try:
        conn.channel().queue_declare(queue, passive=True)
        return True
    except pika.exceptions.ChannelClosedByBroker as exc:
        if exc.reply_code != 404:
            raise
        return False
    finally:
        if conn.is_open:
            conn.close()


def rabbitmq_fanout(params, kind: str) -> tuple[str, int]:
    exchange = f"news.{kind}"
    setup = pika.BlockingConnection(params)
    setup.channel().exchange_declare(exchange, exchange_type="fanout")
    setup.close()

    def subscribe(channel) -> str:
        if kind == "durable":
            return channel.queue_declare("news.audit", durable=True).method.queue
        if kind == "exclusive":
            return channel.queue_declare("", exclusive=True).method.queue
        return channel.queue_declare("news.dashboard", auto_delete=True).method.queue

    def connect():
        conn = pika.BlockingConnection(params)
        channel = conn.channel()
        queue = subscribe(channel)
        channel.queue_bind(queue, exchange)
        return conn, channel, queue

    def consume(channel, queue) -> list[bytes]:
        got = []
        for method, _props, body in channel.consume(queue, inactivity_timeout=1):
            if method is None:
                break
            channel.basic_ack(method.delivery_tag)
            got.append(body)
        channel.cancel()
        return got

    pub_conn = pika.BlockingConnection(params)
    pub = pub_conn.channel()
    pub.confirm_delivery()
    conn, channel, queue = connect()
    pub.basic_publish(exchange, "", b"hello", mandatory=True)
    assert consume(channel, queue) == [b"hello"]
    conn.close()  # offline
    if kind != "durable":  # the broker deletes the queue when the connection (or its last consumer) goes
        eventually(lambda: not queue_exists(params, queue), 10, what=f"{kind} queue {queue} to be deleted")
    unroutable = 0
    for i in range(N):
        try:
            pub.basic_publish(exchange, "", f"m{i}".encode(), mandatory=True)
        except pika.exceptions.UnroutableError:
            unroutable += 1
    conn, channel, queue = connect()
    got = len(consume(channel, queue))
    conn.close()
    if kind == "durable":
        pub.queue_delete(queue)
    pub.exchange_delete(exchange)
    pub_conn.close()
    if unroutable == N:
        return "unroutable: the queue was gone, a `mandatory` publish came back", got
    assert unroutable == 0, unroutable
    return "routed to its queue and confirmed", got


HEADER = f"| Subscriber | While it was offline, {N} messages were published: | After reconnecting it received |\n" \
         "|---|---|---|"
# name: (how it is measured, what it received after reconnecting: the page's claim, on every build)
REDIS_CASES = {
    "Redis pub/sub (`SUBSCRIBE`)": (redis_pubsub, 0),
    "Redis stream, the subscriber's own consumer group": (redis_stream_group, N),
}
RABBITMQ_CASES = {
    "RabbitMQ fanout exchange → durable named queue": (lambda params: rabbitmq_fanout(params, "durable"), N),
    "RabbitMQ fanout exchange → exclusive server-named queue": (lambda params: rabbitmq_fanout(params, "exclusive"),
                                                                0),
    "RabbitMQ fanout exchange → auto-delete queue": (lambda params: rabbitmq_fanout(params, "auto-delete"), 0),
}


def rows(cases: dict, target) -> tuple[str, dict[str, int]]:
    """Each case against `target` (a Redis server, a vhost's pika parameters), in turn: (table rows, received)."""
    lines, measured = [], {}
    for name, (run, _expected) in cases.items():
        publisher_side, got = run(target)
        measured[name] = got
        lines.append(f"| {name} | {publisher_side} | {got} of {N} |")
    return "\n".join(lines), measured


def test_what_an_offline_subscriber_gets_after_reconnecting(private_redis, build_node, results):
    servers = {build: private_redis(build=build, name=build.name) for build in REDIS_BUILDS}
    with ThreadPoolExecutor(len(RABBITMQ_BUILDS)) as pool:  # a node not started yet takes seconds
        nodes = dict(zip(RABBITMQ_BUILDS, pool.map(build_node, RABBITMQ_BUILDS), strict=True))
    with ExitStack() as stack:
        params = {build: pika.URLParameters(stack.enter_context(node.vhost("compare-offline")).url)
                  for build, node in nodes.items()}  # fmt: skip
        jobs = [(build, REDIS_CASES, server) for build, server in servers.items()]
        jobs += [(build, RABBITMQ_CASES, target) for build, target in params.items()]
        with ThreadPoolExecutor(len(jobs)) as pool:  # every build at once: each has its own server or vhost
            done = dict(zip([build for build, *_ in jobs], pool.map(lambda job: rows(*job[1:]), jobs), strict=True))
    for build, cases, _target in jobs:
        assert done[build][1] == {name: expected for name, (_run, expected) in cases.items()}, (build, done[build])
    table = by_server(HEADER, {b: done[b][0] for b in REDIS_BUILDS}, {b: done[b][0] for b in RABBITMQ_BUILDS})
    print(table)
    results("compare/offline_subscriber.md", table)
