"""Celery: no-op task throughput and round-trip latency by broker, result backend and pool; call overhead.

Services, all private to this run and of the generation asked for (--generation: Redis 8.0 and
RabbitMQ 4.0 from the Debian 13 root, or Redis 7.0 and RabbitMQ 3.10): a RabbitMQ node, a redis-server
for the Redis broker (db 0) and the result backend (db 1), and a second redis-server that only counts
finished tasks. Workers are real `celery worker` processes (tests/services/celery_worker), with the
suite's options: concurrency 2 (this machine has 2 cores), --without-gossip --without-mingle, INFO log.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import BENCH, Section, builds, log, parse_args, percentile

import celery
import kombu
import pika
from celery_bench_app import create_app
from services.celery_worker import CeleryWorker
from services.procs import eventually
from services.rabbitmq_node import RabbitNode
from services.redis_server import RedisServer

THROUGHPUT = "celery-throughput"
LATENCY = "celery-latency"
OVERHEAD = "celery-overhead"


def throughput(app, task, n: int, counter) -> tuple[float, float]:
    """(seconds the worker took to run n queued tasks, seconds it took to publish them).

    The worker stops consuming (remote control `cancel_consumer`) while n tasks are published, so
    publishing and running do not compete for the 2 cores; then `add_consumer`, and the clock runs
    until the counter says n.
    """
    if not app.control.cancel_consumer("celery", reply=True, timeout=60, limit=1):
        raise RuntimeError("the worker did not answer cancel_consumer")
    counter.set("bench:done", 0)
    started = time.perf_counter()
    for _ in range(n):
        task.delay()
    published = time.perf_counter() - started
    started = time.perf_counter()
    if not app.control.add_consumer("celery", reply=True, timeout=60, limit=1):
        raise RuntimeError("the worker did not answer add_consumer")
    eventually(lambda: int(counter.get("bench:done")) >= n, 120, interval=0.005, what=f"{n} {task.name} tasks")
    return time.perf_counter() - started, published


def latencies(task, m: int) -> list[float]:
    samples = []
    for _ in range(m):
        started = time.perf_counter()
        task.delay().get(timeout=60)  # generous: a busy machine, not what is measured
        samples.append(time.perf_counter() - started)
    return samples


def per_call_us(fn, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    args = parse_args(__doc__)
    n = 20 if args.tiny else 1000
    m = 5 if args.tiny else 200
    s = Section("celery", tiny=args.tiny, generation=args.generation)
    redis_build, rabbitmq_build = builds(args.generation)
    s.versions.update({"Celery": celery.__version__, "kombu": kombu.__version__})

    with tempfile.TemporaryDirectory(prefix="bench-celery-") as tmp, RabbitNode(build=rabbitmq_build) as node, \
            RedisServer(Path(tmp), name="celery-redis", build=redis_build) as redis_srv, \
            RedisServer(Path(tmp), name="counter", build=redis_build) as counter_srv:  # fmt: skip
        backend = f"redis://127.0.0.1:{redis_srv.port}/1"
        counter_url = f"redis://127.0.0.1:{counter_srv.port}/0"
        counter = counter_srv.client()
        s.versions["Redis server"] = counter.info("server")["redis_version"]
        with pika.BlockingConnection(pika.URLParameters(node.url)) as conn:
            s.versions["RabbitMQ"] = str(conn._impl.server_properties["version"])
        brokers = {"rabbitmq": node.url, "redis": f"redis://127.0.0.1:{redis_srv.port}/0"}
        runs = [("rabbitmq", "threads"), ("redis", "threads"), ("rabbitmq", "prefork")]
        names = {"rabbitmq": "RabbitMQ", "redis": "Redis"}

        for broker, pool in runs:
            app = create_app(brokers[broker], backend, counter_url)
            env = {"BENCH_BROKER_URL": brokers[broker], "BENCH_BACKEND_URL": backend, "BENCH_COUNTER_URL": counter_url}
            log(f"worker: {broker} broker, {pool} pool")
            command = f"celery -A celery_bench_app worker --pool {pool} --concurrency 2 --loglevel INFO"
            with CeleryWorker(command, cwd=BENCH, env=env, logdir=Path(tmp) / "logs"):
                count, stored, noop = app.tasks["bench.count"], app.tasks["bench.count_stored"], app.tasks["bench.noop"]
                throughput(app, count, min(n, 50), counter)  # warm up: connections, pool, imports
                where = f"{names[broker]} broker, {pool} ×2"
                seconds, published = throughput(app, count, n, counter)
                s.rate(f"celery-{broker}-{pool}-ignore", THROUGHPUT, f"{where}, ignore_result", n=n, seconds=seconds,
                       unit="tasks/s", note=f"queued first, in {published:.2f} s")  # fmt: skip
                if (broker, pool) == ("rabbitmq", "threads"):
                    s.time("celery-delay-ignore", OVERHEAD,
                           "count.delay(): publish to RabbitMQ, ignore_result (no worker consuming)",
                           published / n * 1e6, unit="µs", n=n)
                seconds, published = throughput(app, stored, n, counter)
                s.rate(f"celery-{broker}-{pool}-stored", THROUGHPUT, f"{where}, result stored in Redis", n=n,
                       seconds=seconds, unit="tasks/s", note=f"queued first, in {published:.2f} s")  # fmt: skip
                if pool == "threads":
                    samples = latencies(noop, m)
                    for q in (50, 99):
                        s.time(f"celery-latency-{broker}-p{q}", LATENCY, f"{names[broker]} broker, p{q}",
                               percentile(samples, q) * 1000, unit="ms", n=m)  # fmt: skip
                if (broker, pool) == ("rabbitmq", "threads"):
                    calls = 20 if args.tiny else 200_000
                    s.time("celery-direct-call", OVERHEAD, "Direct call of the task's function",
                           per_call_us(noop.run, calls), unit="µs", n=calls)
                    s.time("celery-local-call", OVERHEAD, "Calling the task object in-process: noop()",
                           per_call_us(noop, calls // 4), unit="µs", n=calls // 4)  # fmt: skip
                    s.time("celery-roundtrip", OVERHEAD, "noop.delay().get(): RabbitMQ, worker, Redis backend, p50",
                           s.rows["celery-latency-rabbitmq-p50"].value * 1000, unit="µs", n=m)  # fmt: skip
                    # Last: the worker stops consuming for good, the backlog goes with the private node.
                    if not app.control.cancel_consumer("celery", reply=True, timeout=60, limit=1):
                        raise RuntimeError("the worker did not answer cancel_consumer")
                    s.time("celery-delay", OVERHEAD, "noop.delay(): publish to RabbitMQ, result expected in Redis "
                           "(no worker consuming)", per_call_us(noop.delay, n), unit="µs", n=n)  # fmt: skip
            app.close()

    for broker in ("rabbitmq", "redis"):
        s.compare(f"celery-{broker}-threads-stored", f"celery-{broker}-threads-ignore", "{pct} of ignore_result")
    for mode in ("ignore", "stored"):
        s.compare(f"celery-redis-threads-{mode}", f"celery-rabbitmq-threads-{mode}", "{x} RabbitMQ broker")
        s.compare(f"celery-rabbitmq-prefork-{mode}", f"celery-rabbitmq-threads-{mode}", "{x} threads pool")
    s.compare("celery-rabbitmq-prefork-stored", "celery-rabbitmq-prefork-ignore", "{pct} of ignore_result")
    for q in (50, 99):
        s.compare(f"celery-latency-redis-p{q}", f"celery-latency-rabbitmq-p{q}", "{x} RabbitMQ broker")
    s.compare("celery-latency-rabbitmq-p99", "celery-latency-rabbitmq-p50", "{x} p50")
    s.compare("celery-latency-redis-p99", "celery-latency-redis-p50", "{x} p50")
    for row in ("celery-local-call", "celery-delay-ignore", "celery-delay", "celery-roundtrip"):
        s.compare(row, "celery-direct-call", "{x} a direct call")
    s.dump(args.out)


if __name__ == "__main__":
    main()
