"""Celery broker choice: a task that runs longer than the Redis broker's visibility_timeout runs twice.

The page's own app (snippets/compare/celery_broker_app.py: acks_late, prefetch multiplier 1) on two
workers per broker, each with one thread. On Redis, the test shortens `visibility_timeout` to 4 s
(and lets workers look for overdue messages every second instead of kombu 5.7's ~100 s) with a
variant module (programs/short_visibility.py) that imports the page's app and changes only
`broker_transport_options`; the workers run the command in the app's docstring with it. The task
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
from services.celery_worker import CeleryWorker
from services.paths import PROGRAMS, SNIPPETS
from services.procs import eventually

pytestmark = pytest.mark.page("compare.md")

VISIBILITY = 4  # seconds
TASK_SECONDS = 7
APP = SNIPPETS / "compare" / "celery_broker_app.py"
TASK = "celery_broker_app.build_report"


def succeeded(workers: list[CeleryWorker], task_id: str) -> list[int]:
    """How many times each worker logged the task as succeeded."""
    pattern = re.compile(rf"Task {re.escape(TASK)}\[{task_id}\] succeeded")
    return [len(pattern.findall(worker.output())) for worker in workers]


@pytest.mark.slow
def test_long_task_runs_twice_on_redis_broker_once_on_rabbitmq(private_redis, new_vhost, tmp_path, results):
    redis_srv = private_redis()
    backend = f"redis://127.0.0.1:{redis_srv.port}/1"
    counter = redis_srv.client(db=1)
    with new_vhost("compare-visibility") as vhost:
        brokers = {"Redis": f"redis://127.0.0.1:{redis_srv.port}/0", "RabbitMQ": vhost.url}
        workers = {
            name: [
                CeleryWorker.of(APP, app="short_visibility", concurrency=1, logdir=tmp_path / "logs",
                                env={"AMQP_URL": vhost.url, "REDIS_URL": backend, "CELERY_BROKER_URL": url,
                                     "PYTHONPATH": str(PROGRAMS), "VISIBILITY_TIMEOUT": str(VISIBILITY)})
                for _ in range(2)
            ]
            for name, url in brokers.items()
        }
        everyone = [w for pair in workers.values() for w in pair]
        try:
            with ThreadPoolExecutor(len(everyone)) as pool:
                list(pool.map(CeleryWorker.start, everyone))
            sent = {}
            for report_id, (name, url) in enumerate(brokers.items(), start=1):
                client = Celery("client", broker=url, backend=backend)
                sent[name] = (report_id, client.send_task(TASK, args=[report_id, TASK_SECONDS]))
            for report_id, result in sent.values():
                assert result.get(timeout=60) == f"report {report_id} built"
            # Redis: wait for the second run to finish too (its worker logs it); RabbitMQ acked after one run
            eventually(lambda: sum(succeeded(workers["Redis"], sent["Redis"][1].id)) >= 2,
                       4 * TASK_SECONDS, what="the second run on the Redis broker")
            runs = {name: int(counter.get(f"report:{report_id}:runs")) for name, (report_id, _) in sent.items()}
            per_worker = {name: succeeded(workers[name], result.id) for name, (_, result) in sent.items()}
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
                       "|---|---|---|---|", *rows])
    results("compare/visibility_timeout.md", table)
