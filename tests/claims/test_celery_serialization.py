"""Claims of the Celery "Serialization and security" page.

A worker that accepts pickle runs code chosen by whoever can publish to its broker: decoding the
arguments of any registered task is enough.
"""

from __future__ import annotations

import os

import pytest
from celery.exceptions import TimeoutError
from services.celery_worker import CeleryWorker
from services.paths import PROGRAMS, SNIPPETS

pytestmark = pytest.mark.page("celery/serialization.md")

PAYLOAD = "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).set('pickle:ran', os.getpid())"


class Exploit:
    """Unpickling this calls exec(PAYLOAD): what an attacker with broker access would send."""

    def __reduce__(self):
        return (exec, (PAYLOAD,))


APP = SNIPPETS / "celery" / "serialization_tasks.py"
TRUSTING = {"PYTHONPATH": str(PROGRAMS)}  # programs/trusting.py: the app, accepting pickle too


@pytest.mark.skipif(os.geteuid() != 0, reason="the check is about running as root")
def test_celery_refuses_to_run_a_pickle_accepting_worker_as_root(celery_env, celery_logdir):
    env = celery_env("serialization.root", **TRUSTING)
    with pytest.raises(RuntimeError, match="exited") as err:
        CeleryWorker.of(APP, env=env, logdir=celery_logdir, app="trusting").start()
    assert "worker accepts messages serialized with pickle is a very bad idea" in str(err.value)
    assert "C_FORCE_ROOT" in str(err.value)


@pytest.mark.slow
def test_a_worker_accepting_pickle_runs_code_from_the_message(celery_env, celery_client, celery_logdir, redis_server):
    env = celery_env("serialization.pickle", C_FORCE_ROOT="1", **TRUSTING)  # see the previous test
    store = redis_server.client(decode_responses=True)
    store.delete("pickle:ran")
    with CeleryWorker.of(APP, env=env, logdir=celery_logdir, app="trusting") as worker:
        client = celery_client(env)
        result = client.send_task("serialization_tasks.describe", args=[Exploit()], serializer="pickle",
                                   queue="serialization_tasks")
        assert result.get(timeout=10) == "NoneType None"  # the task got exec()'s return value...
        assert int(store.get("pickle:ran")) == worker.proc.pid  # ...after the payload ran in the worker


@pytest.mark.slow
def test_the_json_only_worker_refuses_the_same_message(celery_env, celery_client, celery_logdir, redis_server):
    env = celery_env("serialization.json-only")
    store = redis_server.client(decode_responses=True)
    store.delete("pickle:ran")
    with CeleryWorker.of(APP, env=env, logdir=celery_logdir) as worker:
        result = celery_client(env).send_task("serialization_tasks.describe", args=[Exploit()], serializer="pickle",
                                              queue="serialization_tasks")
        with pytest.raises(TimeoutError):
            result.get(timeout=3)
        assert "Refusing to deserialize untrusted content of type pickle" in worker.output()
    assert store.get("pickle:ran") is None
