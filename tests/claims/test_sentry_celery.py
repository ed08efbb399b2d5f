"""docs/sentry/celery.md: autoretry behaves like retry(), `throws` and swallowed errors send nothing."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from services.celery_worker import CeleryWorker
from services.paths import PROGRAMS

pytestmark = pytest.mark.page("sentry/celery.md")


@pytest.mark.slow
def test_autoretry_reports_once_and_throws_or_swallowed_report_nothing(bugsink, celery_env, celery_logdir):
    """programs/claims_tasks.py: three tasks that fail (autoretry, `throws`) or swallow their error."""
    project = bugsink.new_project("celery: claims")
    env = celery_env("sentry.claims", SENTRY_DSN=project.dsn)
    with CeleryWorker.of(PROGRAMS / "claims_tasks.py", env=env, logdir=celery_logdir):
        _run_tasks(env["AMQP_URL"], env["REDIS_URL"])
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
