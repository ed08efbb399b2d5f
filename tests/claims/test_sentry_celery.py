"""docs/sentry/celery.md: autoretry behaves like retry(), `throws` and swallowed errors send nothing."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from services.celery_worker import CeleryWorker
from services.rabbitmq import Vhost

TASKS = '''
import os

import sentry_sdk
from celery import Celery, signals

app = Celery("claims_tasks", broker=os.environ["AMQP_URL"], backend=os.environ["REDIS_URL"])
app.conf.task_default_queue = "claims_tasks"


@signals.celeryd_init.connect
def init_sentry(**kwargs):
    sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])


@app.task(autoretry_for=(ConnectionError,), max_retries=2, default_retry_delay=0.1)
def auto(n):
    raise ConnectionError(f"autoretry gave up {n}")


@app.task(throws=(KeyError,))
def expected(n):
    raise KeyError("expected failure")


@app.task
def swallowed(n):
    try:
        raise ValueError("nobody will know")
    except ValueError:
        return "handled"
'''


@pytest.mark.slow
def test_autoretry_reports_once_and_throws_or_swallowed_report_nothing(bugsink, redis_server, tmp_path):
    (tmp_path / "claims_tasks.py").write_text(TASKS)
    project = bugsink.new_project("celery: claims")
    with Vhost() as vhost:
        env = {"AMQP_URL": vhost.url, "REDIS_URL": redis_server.url, "SENTRY_DSN": project.dsn}
        with CeleryWorker("claims_tasks", cwd=tmp_path, env=env, logdir=tmp_path):
            _run_tasks(vhost.url, redis_server.url)
    events = bugsink.all_events(project)
    assert [e["data"]["exception"]["values"][-1]["value"] for e in events] == ["autoretry gave up 1"]


def _run_tasks(broker: str, backend: str) -> None:
    app = Celery("claims_tasks", broker=broker, backend=backend)
    app.conf.task_default_queue = "claims_tasks"
    results = [app.send_task(f"claims_tasks.{name}", args=(1,)) for name in ("expected", "swallowed", "auto")]
    states = []
    for result in results:
        result.get(timeout=15, propagate=False)
        states.append(result.state)
    assert states == ["FAILURE", "SUCCESS", "FAILURE"]
    app.close()
    time.sleep(0.5)  # the worker's last event is sent from its SDK thread; stopping the worker flushes it too
