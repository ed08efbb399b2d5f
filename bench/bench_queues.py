"""Redis vs RabbitMQ as a plain message queue: throughput, publish-to-consume latency, memory per queued message.

Same message (1,000 bytes), same machine, one run. Both servers are private to this run: a
redis-server (free port, temp dir, no persistence) and a RabbitMQ node (tests/services/rabbitmq_node:
own name, ports and data dir; default configuration, classic queues), both of the generation asked for
(--generation: Redis 8.0 and RabbitMQ 4.0 from the Debian 13 root, or Redis 7.0 and RabbitMQ 3.10).
Clients are redis-py and pika, one client call per message unless a row says otherwise:

- throughput: publish N messages (Redis LPUSH or XADD, each a round trip with a reply; RabbitMQ
  basic_publish without confirms, with a confirm per message, and persistent with a confirm per
  message); consume N pre-queued messages (BRPOP; XREADGROUP + XACK; basic_consume + basic_ack with
  prefetch 1 or 100, where Redis reads 100 entries per XREADGROUP and acks them in one XACK).
- latency: one message in flight, the consumer already waiting on its own connection (a BRPOP or
  XREADGROUP BLOCK sent before the publish, or a registered basic_consume); the clock runs from just
  before the publish call to the moment the consumer holds the message. p50 and p99 of M messages.
- memory: N messages queued and not consumed. Redis: the growth of INFO `used_memory` (every byte
  redis-server allocated, so the list or stream with its encoding overhead). RabbitMQ: the growth of
  the node's `erlang:memory(total)` (all memory of the Erlang VM: queue process, message bodies as
  off-heap binaries, indexes), each measured after a garbage collection of every Erlang process.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from common import Section, builds, log, parse_args, percentile

import pika
import redis
from bench_rabbitmq import QUEUE as RMQ_QUEUE
from bench_rabbitmq import consume as rmq_consume
from bench_rabbitmq import fresh as rmq_fresh
from bench_rabbitmq import publish_blocking as rmq_publish
from bench_rabbitmq import wait_depth as rmq_wait_depth
from services.rabbitmq_node import RabbitNode
from services.redis_server import RedisServer

BODY = b"x" * 1000
QUEUE = "bench.queue"
THROUGHPUT = "queue-throughput"
LATENCY = "queue-latency"
MEMORY = "queue-memory"
TRANSIENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Transient)
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
GC_AND_MEMORY = "[erlang:garbage_collect(P) || P <- erlang:processes()], erlang:memory(total)."


# -- Redis ----------------------------------------------------------------------------------------


def redis_fresh(r: redis.Redis) -> None:
    r.delete(QUEUE)


def redis_push(r: redis.Redis, n: int) -> float:
    redis_fresh(r)
    started = time.perf_counter()
    for _ in range(n):
        r.lpush(QUEUE, BODY)
    return time.perf_counter() - started


def redis_pop(r: redis.Redis, n: int) -> float:
    redis_fresh(r)
    with r.pipeline(transaction=False) as pipe:
        for _ in range(n):
            pipe.lpush(QUEUE, BODY)
        pipe.execute()
    started = time.perf_counter()
    for _ in range(n):
        if r.brpop([QUEUE], timeout=5) is None:
            raise RuntimeError("BRPOP found the list empty")
    return time.perf_counter() - started


def redis_xadd(r: redis.Redis, n: int) -> float:
    redis_fresh(r)
    started = time.perf_counter()
    for _ in range(n):
        r.xadd(QUEUE, {"body": BODY})
    return time.perf_counter() - started


def redis_read_ack(r: redis.Redis, n: int, count: int) -> float:
    """XREADGROUP `count` entries, then one XACK for all of them, until n are acknowledged."""
    redis_fresh(r)
    r.xgroup_create(QUEUE, "workers", id="0", mkstream=True)
    with r.pipeline(transaction=False) as pipe:
        for _ in range(n):
            pipe.xadd(QUEUE, {"body": BODY})
        pipe.execute()
    done = 0
    started = time.perf_counter()
    while done < n:
        [(_stream, entries)] = r.xreadgroup("workers", "w1", {QUEUE: ">"}, count=count, block=5000)
        r.xack(QUEUE, "workers", *[entry_id for entry_id, _ in entries])
        done += len(entries)
    seconds = time.perf_counter() - started
    if r.xpending(QUEUE, "workers")["pending"]:
        raise RuntimeError("entries left unacknowledged")
    return seconds


def redis_latency(server: RedisServer, m: int, kind: str) -> list[float]:
    """Publish on one connection while the consumer's blocking read is already waiting on another."""
    publisher = server.client()
    redis_fresh(publisher)
    if kind == "stream":
        publisher.xgroup_create(QUEUE, "workers", id="$", mkstream=True)
    consumer = redis.Connection(host="127.0.0.1", port=server.port, socket_timeout=10)
    consumer.connect()
    samples = []
    try:
        for _ in range(m + 1):
            if kind == "list":
                consumer.send_command("BRPOP", QUEUE, 5)
            else:
                consumer.send_command("XREADGROUP", "GROUP", "workers", "w1", "COUNT", 1, "BLOCK", 5000,
                                      "STREAMS", QUEUE, ">")  # fmt: skip
            time.sleep(0.001)  # let the server park the blocking read first
            started = time.perf_counter()
            if kind == "list":
                publisher.lpush(QUEUE, BODY)
            else:
                publisher.xadd(QUEUE, {"body": BODY})
            reply = consumer.read_response()
            samples.append(time.perf_counter() - started)
            if not reply:
                raise RuntimeError(f"{kind}: the blocking read timed out")
            if kind == "stream":
                [entry_id] = publisher.xpending_range(QUEUE, "workers", min="-", max="+", count=1)
                publisher.xack(QUEUE, "workers", entry_id["message_id"])
    finally:
        consumer.disconnect()
        redis_fresh(publisher)
        publisher.close()
    return samples[1:]  # the first one warms up


def redis_memory(r: redis.Redis, n: int, kind: str) -> float:
    redis_fresh(r)
    before = r.info("memory")["used_memory"]
    with r.pipeline(transaction=False) as pipe:
        for i in range(n):
            pipe.lpush(QUEUE, BODY) if kind == "list" else pipe.xadd(QUEUE, {"body": BODY})
            if i % 1000 == 999:
                pipe.execute()
        pipe.execute()
    length = r.llen(QUEUE) if kind == "list" else r.xlen(QUEUE)
    if length != n:
        raise RuntimeError(f"{kind}: {length} of {n} messages queued")
    after = r.info("memory")["used_memory"]
    redis_fresh(r)
    return (after - before) / n


# -- RabbitMQ -------------------------------------------------------------------------------------
# (publish, consume and queue helpers are bench_rabbitmq's: the same code measures both pages' rows)




def rmq_latency(params, m: int) -> list[float]:
    conn, channel = rmq_fresh(params)
    consumer_conn = pika.BlockingConnection(params)
    consumer = consumer_conn.channel()
    consumer.basic_qos(prefetch_count=1)
    arrived: list[float] = []

    def on_message(ch, method, _props, _body) -> None:
        arrived.append(time.perf_counter())
        ch.basic_ack(method.delivery_tag)

    consumer.basic_consume(RMQ_QUEUE, on_message)
    samples = []
    for i in range(m + 1):
        started = time.perf_counter()
        channel.basic_publish("", RMQ_QUEUE, BODY, TRANSIENT)
        deadline = started + 10
        while len(arrived) <= i:
            if time.perf_counter() > deadline:
                raise RuntimeError("a message did not arrive within 10 s")
            consumer_conn.process_data_events(time_limit=1)
        samples.append(arrived[i] - started)
    consumer_conn.close()
    conn.close()
    return samples[1:]


def rmq_memory(node: RabbitNode, params, n: int, props) -> tuple[float, str]:
    """Bytes per queued message: the queue process's memory plus the message bodies it holds in RAM
    (`list_queues memory message_bytes_ram`). Total VM growth (`erlang:memory(total)`) no longer works: on
    RabbitMQ 4.0 it barely grows with queued messages and came out negative."""
    conn, channel = rmq_fresh(params)
    before = int(node.ctl("eval", GC_AND_MEMORY).strip())
    for _ in range(n):
        channel.basic_publish("", RMQ_QUEUE, BODY, props)
    rmq_wait_depth(channel, n)
    after = int(node.ctl("eval", GC_AND_MEMORY).strip())
    queue = node.ctl("list_queues", "--no-table-headers", "name", "messages", "memory", "message_bytes_ram").split()
    channel.queue_delete(RMQ_QUEUE)
    conn.close()
    name, messages, memory, in_ram = queue[:4]
    if (name, int(messages)) != (RMQ_QUEUE, n):
        raise RuntimeError(f"list_queues says {queue}")
    detail = (f"queue process {int(memory) / n:,.0f} B/msg + bodies in RAM {int(in_ram) / n:,.0f} B/msg; "
              f"VM total growth {(after - before) / n:,.0f} B/msg")
    return (int(memory) + int(in_ram)) / n, detail


# -- the run --------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args(__doc__)
    n = 50 if args.tiny else 2000
    n_confirm = 20 if args.tiny else 500  # one round trip (and for persistent, a disk write) per message
    m = 5 if args.tiny else 300
    n_mem = 2000 if args.tiny else 10_000  # fewer: the noise of the memory readings (~0.4 MB) would dominate
    repeats = 1 if args.tiny else 3
    per = f"median of {repeats}" if repeats > 1 else "1 run"
    s = Section("queues", tiny=args.tiny, generation=args.generation)
    redis_build, rabbitmq_build = builds(args.generation)
    s.versions["redis"] = redis.__version__
    s.versions["pika"] = pika.__version__

    def median(fn, *fn_args) -> float:
        return statistics.median(fn(*fn_args) for _ in range(repeats))

    with tempfile.TemporaryDirectory(prefix="bench-queues-") as tmp, \
            RedisServer(Path(tmp), name="queues", build=redis_build) as server, \
            RabbitNode(build=rabbitmq_build) as node:  # fmt: skip
        r = server.client()
        s.versions["Redis server"] = r.info("server")["redis_version"]
        params = pika.URLParameters(node.url)
        conn = pika.BlockingConnection(params)
        s.versions["RabbitMQ"] = str(conn._impl.server_properties["version"])
        conn.close()
        redis_push(r, min(n, 500))  # warm up both
        rmq_publish(params, min(n, 500), TRANSIENT, False)

        log("throughput: Redis")
        s.rate("q-redis-list-push", THROUGHPUT, "Redis list: LPUSH, one per round trip", n=n,
               seconds=median(redis_push, r, n), unit="msg/s", note=per)  # fmt: skip
        s.rate("q-redis-list-pop", THROUGHPUT, "Redis list: BRPOP, one per round trip (no ack: at most once)", n=n,
               seconds=median(redis_pop, r, n), unit="msg/s", note=per)  # fmt: skip
        s.rate("q-redis-stream-add", THROUGHPUT, "Redis stream: XADD, one per round trip", n=n,
               seconds=median(redis_xadd, r, n), unit="msg/s", note=per)  # fmt: skip
        s.rate("q-redis-stream-ack-1", THROUGHPUT, "Redis stream: XREADGROUP 1 entry + XACK it", n=n,
               seconds=median(redis_read_ack, r, n, 1), unit="msg/s", note=per)  # fmt: skip
        s.rate("q-redis-stream-ack-100", THROUGHPUT, "Redis stream: XREADGROUP 100 entries + one XACK for them", n=n,
               seconds=median(redis_read_ack, r, n, 100), unit="msg/s", note=per)  # fmt: skip
        log("throughput: RabbitMQ")
        s.rate("q-rmq-publish", THROUGHPUT, "RabbitMQ: publish transient, no confirms", n=n,
               seconds=median(rmq_publish, params, n, TRANSIENT, False), unit="msg/s", note=per)  # fmt: skip
        s.rate("q-rmq-publish-confirm", THROUGHPUT, "RabbitMQ: publish transient, confirm each", n=n_confirm,
               seconds=median(rmq_publish, params, n_confirm, TRANSIENT, True), unit="msg/s", note=per)  # fmt: skip
        s.rate("q-rmq-publish-persistent-confirm", THROUGHPUT, "RabbitMQ: publish persistent, confirm each",
               n=n_confirm, seconds=median(rmq_publish, params, n_confirm, PERSISTENT, True),
               unit="msg/s", note=per)  # fmt: skip
        for prefetch in (1, 100):
            s.rate(f"q-rmq-consume-ack-{prefetch}", THROUGHPUT, f"RabbitMQ: consume + ack each, prefetch {prefetch}",
                   n=n, seconds=median(rmq_consume, params, n, prefetch), unit="msg/s", note=per)  # fmt: skip

        log("latency")
        waiting = {"list": "Redis list (BRPOP waiting)", "stream": "Redis stream (XREADGROUP BLOCK waiting)"}
        for kind, name in waiting.items():
            samples = redis_latency(server, m, kind)
            for q in (50, 99):
                s.time(f"q-latency-redis-{kind}-p{q}", LATENCY, f"{name}, p{q}", percentile(samples, q) * 1e6,
                       unit="µs", n=m)  # fmt: skip
        samples = rmq_latency(params, m)
        for q in (50, 99):
            s.time(f"q-latency-rmq-p{q}", LATENCY, f"RabbitMQ (basic_consume waiting), p{q}",
                   percentile(samples, q) * 1e6, unit="µs", n=m)  # fmt: skip

        log("memory")
        for kind in ("list", "stream"):
            s.time(f"q-mem-redis-{kind}", MEMORY, f"Redis {kind}: INFO used_memory growth",
                   redis_memory(r, n_mem, kind), unit="bytes/msg", n=n_mem, note="1,000-byte body")  # fmt: skip
        for mode, props in (("transient", TRANSIENT), ("persistent", PERSISTENT)):
            per_msg, detail = rmq_memory(node, params, n_mem, props)
            s.time(f"q-mem-rmq-{mode}", MEMORY, f"RabbitMQ, {mode} messages in a durable classic queue: "
                   "queue memory + bodies in RAM", per_msg, unit="bytes/msg", n=n_mem,
                   note=f"1,000-byte body; {detail}")  # fmt: skip
        r.close()

    s.notes.append("Queues (Redis vs RabbitMQ): both servers private to the run, 1,000-byte messages; Redis without "
                   "persistence, RabbitMQ with its default configuration.")  # fmt: skip
    s.compare("q-redis-stream-add", "q-redis-list-push", "{pct} of LPUSH")
    s.compare("q-rmq-publish-confirm", "q-redis-list-push", "{x} Redis LPUSH")
    s.compare("q-rmq-publish", "q-redis-list-push", "{x} Redis LPUSH")
    s.compare("q-rmq-publish-persistent-confirm", "q-rmq-publish-confirm", "{pct} of transient, confirm each")
    s.compare("q-redis-stream-ack-100", "q-redis-stream-ack-1", "{x} one entry per read")
    s.compare("q-rmq-consume-ack-1", "q-redis-stream-ack-1", "{x} Redis stream, 1 per read")
    s.compare("q-rmq-consume-ack-100", "q-redis-stream-ack-100", "{x} Redis stream, 100 per read")
    s.compare("q-rmq-consume-ack-100", "q-rmq-consume-ack-1", "{x} prefetch 1")
    for q in (50, 99):
        s.compare(f"q-latency-redis-stream-p{q}", f"q-latency-redis-list-p{q}", "{x} Redis list")
        s.compare(f"q-latency-rmq-p{q}", f"q-latency-redis-list-p{q}", "{x} Redis list")
    s.compare("q-mem-redis-stream", "q-mem-redis-list", "{x} Redis list")
    s.compare("q-mem-rmq-transient", "q-mem-redis-list", "{x} Redis list")
    s.compare("q-mem-rmq-persistent", "q-mem-rmq-transient", "{x} transient")
    s.dump(args.out)


if __name__ == "__main__":
    main()
