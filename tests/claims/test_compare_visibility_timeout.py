"""Celery broker choice: a task that runs longer than the Redis broker's visibility_timeout runs twice.

The page's own app (snippets/compare/celery_broker_app.py: acks_late, prefetch multiplier 1) on two
workers per broker, each with one thread. On Redis, the test shortens `visibility_timeout` to 4 s
(and lets workers look for overdue messages every second instead of kombu 5.7's ~100 s) with a
variant module that imports the page's app and changes only `broker_transport_options`; the task
sleeps 7 s. The Redis broker puts the unacknowledged message back in the queue after 4 s, and the
idle worker runs it again. On RabbitMQ the same task, unacknowledged for 7 s on a live connection,
runs once. Redis (broker and result backend) is a private redis-server, RabbitMQ a throwaway vhost.
The page's table is snippets/compare/results/visibility_timeout.md (`--update-examples` writes it).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from celery import Celery
from harness import SNIPPETS
from services.celery_worker import CeleryWorker
from services.errors import wait_until
from services.rabbitmq import Vhost

VISIBILITY = 4  # seconds
TASK_SECONDS = 7
VARIANT = f"""from celery_broker_app import app

app.conf.broker_transport_options = {{
    "visibility_timeout": {VISIBILITY},
    "unacked_restore_interval": 1,  # look for overdue messages every second
    "unacked_restore_throttle": 1,
}}
"""
TASK = "celery_broker_app.build_report"


def succeeded(workers: list[CeleryWorker], task_id: str) -> list[int]:
    """How many times each worker logged the task as succeeded."""
    pattern = re.compile(rf"Task {re.escape(TASK)}\[{task_id}\] succeeded")
    return [len(pattern.findall(worker.output())) for worker in workers]


@pytest.mark.slow
def test_long_task_runs_twice_on_redis_broker_once_on_rabbitmq(private_redis, tmp_path, compare_outcome):
    (tmp_path / "short_visibility.py").write_text(VARIANT)
    redis_srv = private_redis()
    backend = f"redis://127.0.0.1:{redis_srv.port}/1"
    counter = redis_srv.client(db=1)
    with Vhost(prefix="compare-visibility") as vhost:
        brokers = {"Redis": f"redis://127.0.0.1:{redis_srv.port}/0", "RabbitMQ": vhost.url}
        workers = {
            name: [
                CeleryWorker("short_visibility", cwd=SNIPPETS / "compare", logdir=tmp_path / "logs", concurrency=1,
                             env={"AMQP_URL": vhost.url, "REDIS_URL": backend, "CELERY_BROKER_URL": url,
                                  "PYTHONPATH": str(tmp_path)})  # fmt: skip
                for _ in range(2)
            ]
            for name, url in brokers.items()
        }
        everyone = [w for pair in workers.values() for w in pair]
        try:
            with ThreadPoolExecutor(len(everyone)) as pool:
                list(pool.map(CeleryWorker.start, everyone))
            results = {}
            for report_id, (name, url) in enumerate(brokers.items(), start=1):
                client = Celery("client", broker=url, backend=backend)
                results[name] = (report_id, client.send_task(TASK, args=[report_id, TASK_SECONDS]))
            for name, (report_id, result) in results.items():
                assert result.get(timeout=60) == f"report {report_id} built"
            # Redis: wait for the second run to finish too (its worker logs it); RabbitMQ acked after one run
            wait_until(lambda: sum(succeeded(workers["Redis"], results["Redis"][1].id)) >= 2,
                       timeout=4 * TASK_SECONDS, what="the second run on the Redis broker")  # fmt: skip
            runs = {name: int(counter.get(f"report:{report_id}:runs")) for name, (report_id, _) in results.items()}
            per_worker = {name: succeeded(workers[name], result.id) for name, (_, result) in results.items()}
        finally:
            for worker in everyone:
                worker.stop()
    assert runs == {"Redis": 2, "RabbitMQ": 1}, runs
    assert per_worker["Redis"] == [1, 1], per_worker  # once on each worker
    assert sorted(per_worker["RabbitMQ"]) == [0, 1], per_worker
    rows = [
        f"| Redis | {VISIBILITY} s | {TASK_SECONDS} s | {runs['Redis']}: once on each worker |",
        f"| RabbitMQ | (not used) | {TASK_SECONDS} s | {runs['RabbitMQ']} |",
    ]
    table = "\n".join(["| Broker | `visibility_timeout` | The task took | Times it ran (2 idle workers) |",
                       "|---|---|---|---|", *rows])  # fmt: skip
    compare_outcome("visibility_timeout.md", table)
