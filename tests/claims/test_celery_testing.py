"""Claims of the "Testing tasks" section: what eager mode and start_worker do and do not check (Celery 5.7)."""

from __future__ import annotations

import sys

import pytest
from kombu.exceptions import EncodeError
from services.paths import SNIPPETS

pytestmark = pytest.mark.page("celery/integrations.md")


@pytest.fixture
def testing_tasks(celery_env, monkeypatch):
    """Import snippets/celery/testing_tasks.py with a broker space of this test's own."""
    for key, value in celery_env("testing").items():
        monkeypatch.setenv(key, value)
    monkeypatch.syspath_prepend(str(SNIPPETS / "celery"))
    sys.modules.pop("testing_tasks", None)
    import testing_tasks

    yield testing_tasks
    testing_tasks.app.close()
    sys.modules.pop("testing_tasks", None)


def test_eager_mode_serializes_arguments(testing_tasks):
    testing_tasks.app.conf.task_always_eager = True
    with pytest.raises(EncodeError, match="not JSON serializable"):
        testing_tasks.add.delay(object(), 1)


def test_eager_mode_refuses_get_inside_a_task(testing_tasks):
    testing_tasks.app.conf.task_always_eager = True
    with pytest.raises(RuntimeError, match="Never call result.get"):
        testing_tasks.sum_of_sums.delay([[1, 2]]).get()


@pytest.mark.slow
def test_start_worker_lets_get_inside_a_task_pass(testing_tasks):
    from celery.contrib.testing.worker import start_worker

    app = testing_tasks.app
    app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(app, pool="threads", concurrency=2, shutdown_timeout=30):
        assert testing_tasks.sum_of_sums.delay([[1, 2], [3, 4]]).get(timeout=20) == 10
