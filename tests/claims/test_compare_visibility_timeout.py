"""Celery broker choice: a task that runs longer than the Redis broker's visibility_timeout runs twice.

The page's own app (snippets/compare/celery_broker_app.py: acks_late, prefetch multiplier 1) on two
workers per broker, each with one thread. On Redis, the test shortens `visibility_timeout` to 4 s
(and lets workers look for overdue messages every second instead of kombu 5.7's ~100 s) with a
variant module (programs/short_visibility.py) that imports the page's app and changes only
`broker_transport_options`; the workers run the command in the app's docstring with it. The task
sleeps 7 s. The Redis broker puts the unacknowledged message back in the queue after 4 s, and the
idle worker runs it again. On RabbitMQ the same task, unacknowledged for 7 s on a live connection,
runs once. Measured on every build at once (services/generations.py): each Redis build (Redis 8.0, Valkey 8.1,
Redis 7.0) is a private server, broker and result backend of its own workers; each RabbitMQ build (4.0, 3.10) a
throwaway vhost on the session's node of that build, with results on the Redis 8.0 server. The page's table is
snippets/compare/results/visibility_timeout.md (results.by_server; `--update-examples` writes it).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from celery import Celery
from services.celery_worker import CeleryWorker
from services.generations import RABBITMQ_BUILDS, REDIS_BUILDS, SNIPPET_REDIS
from services.paths import PROGRAMS, SNIPPETS
from services.procs import eventually
from services.results import by_server

pytestmark = pytest.mark.page("compare.md")

VISIBILITY = 4  # seconds
TASK_SECONDS = 7
APP = SNIPPETS / "compare" / "celery_broker_app.py"
TASK = "celery_broker_app.build_report"
QUEUE = "celery_broker_app"  # the app's own queue (its task_default_queue): where its workers listen


def succeeded(workers: list[CeleryWorker], task_id: str) -> list[int]:
    """How many times each worker logged the task as succeeded."""
    pattern = re.compile(rf"Task {re.escape(TASK)}\[{task_id}\] succeeded")
    return [len(pattern.findall(worker.output())) for worker in workers]


@pytest.mark.slow
def test_long_task_runs_twice_on_redis_broker_once_on_rabbitmq(private_redis, build_node, tmp_path, results):
    assert f'app.conf.task_default_queue = "{QUEUE}"' in APP.read_text()
    servers = {build: private_redis(build=build, name=build.name) for build in REDIS_BUILDS}
    with ThreadPoolExecutor(len(RABBITMQ_BUILDS)) as pool:  # a node not started yet takes seconds
        nodes = dict(zip(RABBITMQ_BUILDS, pool.map(build_node, RABBITMQ_BUILDS), strict=True))
    with ExitStack() as stack:
        vhosts = {build: stack.enter_context(node.vhost("compare-visibility")) for build, node in nodes.items()}
        # each broker: (its URL, the server whose db 1 is the result backend of its workers and client)
        brokers = {build: (f"redis://127.0.0.1:{server.port}/0", server) for build, server in servers.items()}
        brokers |= {build: (vhost.url, servers[SNIPPET_REDIS]) for build, vhost in vhosts.items()}
        workers = {
            build: [
                CeleryWorker.of(APP, app="short_visibility", concurrency=1, logdir=tmp_path / "logs" / build.name,
                                env={"AMQP_URL": url, "REDIS_URL": f"redis://127.0.0.1:{backend.port}/1",
                                     "CELERY_BROKER_URL": url,
                                     "PYTHONPATH": str(PROGRAMS), "VISIBILITY_TIMEOUT": str(VISIBILITY)})
                for _ in range(2)
            ]
            for build, (url, backend) in brokers.items()
        }
        everyone = [w for pair in workers.values() for w in pair]
        try:
            with ThreadPoolExecutor(len(everyone)) as pool:
                list(pool.map(CeleryWorker.start, everyone))
            sent = {}  # a report id per broker: the RabbitMQ builds share one backend (db 1 of Redis 8.0)
            for report_id, (build, (url, backend)) in enumerate(brokers.items(), start=1):
                client = Celery("client", broker=url, backend=f"redis://127.0.0.1:{backend.port}/1")
                client.conf.task_default_queue = QUEUE
                sent[build] = (report_id, client.send_task(TASK, args=[report_id, TASK_SECONDS]))
            for report_id, result in sent.values():
                assert result.get(timeout=60) == f"report {report_id} built"
            # Redis: wait for the second run to finish too (its worker logs it); RabbitMQ acked after one run
            for build in REDIS_BUILDS:
                eventually(lambda b=build: sum(succeeded(workers[b], sent[b][1].id)) >= 2,
                           4 * TASK_SECONDS, what=f"the second run on the {build.label} broker")
            runs = {build: int(brokers[build][1].client(db=1).get(f"report:{report_id}:runs"))
                    for build, (report_id, _) in sent.items()}  # fmt: skip
            per_worker = {build: succeeded(workers[build], result.id) for build, (_, result) in sent.items()}
        finally:
            for worker in everyone:
                worker.stop()
    for build in REDIS_BUILDS:
        assert (runs[build], per_worker[build]) == (2, [1, 1]), (build, runs, per_worker)  # once on each worker
    for build in RABBITMQ_BUILDS:
        assert (runs[build], sorted(per_worker[build])) == (1, [0, 1]), (build, runs, per_worker)
    table = by_server(
        "| Broker | `visibility_timeout` | The task took | Times it ran (2 idle workers) |\n|---|---|---|---|",
        {build: f"| Redis | {VISIBILITY} s | {TASK_SECONDS} s | {runs[build]}: once on each worker |"
         for build in REDIS_BUILDS},
        {build: f"| RabbitMQ | (not used) | {TASK_SECONDS} s | {runs[build]} |" for build in RABBITMQ_BUILDS},
    )  # fmt: skip
    results("compare/visibility_timeout.md", table)

