"""Claims of the Celery "Reliability" page, proven by crashing real workers.

The app is snippets/celery/reliable_tasks.py (acks_late + reject_on_worker_lost, idempotent
`ship_order`), its worker started from the command in its docstring. Variants that switch one setting
off are small modules in tests/claims/programs/ that import the snippet's app and change its config.
"""

from __future__ import annotations

import os
import signal
import time

import pika
import pytest
from celery.exceptions import WorkerLostError
from services.celery_worker import CeleryWorker
from services.paths import PROGRAMS, SNIPPETS
from services.procs import child_pids, eventually

pytestmark = [pytest.mark.slow, pytest.mark.page("celery/reliability.md")]

TASK = "reliable_tasks.ship_order"
APP = SNIPPETS / "celery" / "reliable_tasks.py"
VARIANTS = {"PYTHONPATH": str(PROGRAMS)}  # early_ack.py, no_reject.py, redis_visibility.py


def worker(env: dict, logdir, **changes) -> CeleryWorker:
    """reliable_tasks.py's worker as its docstring shows it, with this claim's `changes` (app=, pool=, ...)."""
    return CeleryWorker.of(APP, env=env, logdir=logdir, **changes)


@pytest.fixture
def store(redis_server):
    client = redis_server.client(decode_responses=True)
    yield client
    client.close()


def clean(store, order: int) -> None:
    store.delete(f"order:{order}:attempts", f"order:{order}:shipped", "shipments")


def attempts(store, order: int) -> int:
    return int(store.get(f"order:{order}:attempts") or 0)


def queue_state(amqp_url: str, queue: str = "celery") -> tuple[int, int]:
    """(ready messages, consumers) of a queue, from a passive declare."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        ok = conn.channel().queue_declare(queue, passive=True).method
        return ok.message_count, ok.consumer_count
    finally:
        conn.close()


def test_acks_late_task_is_redelivered_after_the_worker_is_killed(celery_env, celery_client, celery_logdir, store):
    """SIGKILL the whole worker mid-task: RabbitMQ requeues the unacknowledged message at once,
    a second worker runs it to the end, and the idempotent task records the shipment once."""
    env, order = celery_env("reliability.sigkill"), 101
    clean(store, order)
    result = celery_client(env).send_task(TASK, args=[order, 3])

    with worker(env, celery_logdir) as first:
        eventually(lambda: attempts(store, order) == 1, 15, what="first attempt")
        first.kill9()
    # the broker saw the connection drop and put the message back in the queue
    assert eventually(lambda: queue_state(env["AMQP_URL"]) == (1, 0), 10, what="message requeued")

    with worker(env, celery_logdir):
        assert result.get(timeout=20) == f"order {order} shipped"
    assert attempts(store, order) == 2
    assert store.lrange("shipments", 0, -1) == [str(order)]


def test_without_acks_late_the_killed_task_is_lost(celery_env, celery_client, celery_logdir, store):
    """The default (ack when the task starts): the message is gone once the task began.

    Run on prefork, the default pool, which acks at once. (The threads pool sends that ack from its
    event loop, which may only wake up later: a crash in between can still requeue the message.)"""
    env, order = celery_env("reliability.early-ack", **VARIANTS), 102
    clean(store, order)
    result = celery_client(env).send_task(TASK, args=[order, 3])

    with worker(env, celery_logdir, app="early_ack", pool="prefork", concurrency=1) as first:
        eventually(lambda: attempts(store, order) == 1, 15, what="first attempt")
        first.kill9()
    eventually(lambda: queue_state(env["AMQP_URL"])[1] == 0, 10, what="consumer gone")
    time.sleep(0.5)  # had there been an unacked message, it would be back by now
    assert queue_state(env["AMQP_URL"]) == (0, 0)
    assert result.state == "PENDING" and attempts(store, order) == 1
    assert store.get(f"order:{order}:shipped") is None


def _kill_pool_child_mid_task(env, client, store, order, logdir, app):
    result = client.send_task(TASK, args=[order, 3])
    with worker(env, logdir, app=app, pool="prefork", concurrency=1) as prefork:
        eventually(lambda: attempts(store, order) == 1, 15, what="first attempt")
        [child] = child_pids(prefork.proc.pid)
        os.kill(child, signal.SIGKILL)  # e.g. the OOM killer; the worker's main process lives on
        outcome = None
        try:
            outcome = result.get(timeout=20)
        except WorkerLostError as exc:
            outcome = exc
        return outcome, prefork.output()


def test_reject_on_worker_lost_requeues_when_the_pool_process_dies(celery_env, celery_client, celery_logdir, store):
    """prefork: kill only the child running the task. With reject_on_worker_lost the message is
    requeued and the worker (with a fresh child) runs it again."""
    env, order = celery_env("reliability.child-requeue"), 103
    clean(store, order)
    outcome, _ = _kill_pool_child_mid_task(env, celery_client(env), store, order, celery_logdir, "reliable_tasks")
    assert outcome == f"order {order} shipped"
    assert attempts(store, order) == 2


def test_without_reject_on_worker_lost_the_task_fails_with_worker_lost_error(
    celery_env, celery_client, celery_logdir, store
):
    """Same kill, reject_on_worker_lost off: acks_late alone does not requeue; the task FAILS."""
    env, order = celery_env("reliability.child-fail", **VARIANTS), 104
    clean(store, order)
    outcome, log = _kill_pool_child_mid_task(env, celery_client(env), store, order, celery_logdir, "no_reject")
    assert isinstance(outcome, WorkerLostError), outcome
    assert "signal 9 (SIGKILL)" in str(outcome)
    assert attempts(store, order) == 1


def test_redis_broker_redelivers_only_after_the_visibility_timeout(celery_env, celery_client, celery_logdir, store):
    """Redis has no connection-bound acks: a killed worker's task waits in the 'unacked' hash until
    visibility_timeout has passed (then a worker's periodic sweep restores it)."""
    order, visibility = 105, 6
    env = celery_env("reliability.redis-visibility", broker="redis", VISIBILITY_TIMEOUT=str(visibility), **VARIANTS)
    clean(store, order)
    result = celery_client(env).send_task(TASK, args=[order, 2])

    with worker(env, celery_logdir, app="redis_visibility") as first:
        eventually(lambda: attempts(store, order) == 1, 15, what="first attempt")
        taken = time.monotonic()
        first.kill9()
    with worker(env, celery_logdir, app="redis_visibility"):
        eventually(lambda: attempts(store, order) == 2, visibility + 15, what="redelivery")
        waited = time.monotonic() - taken
        assert result.get(timeout=10) == f"order {order} shipped"
    assert waited >= visibility - 1, f"redelivered after {waited:.1f} s, before the visibility timeout"
    assert store.lrange("shipments", 0, -1) == [str(order)]


def test_redis_countdown_longer_than_visibility_timeout_runs_twice(celery_env, celery_client, celery_logdir, store):
    """A countdown/eta task is held unacknowledged by the worker until it is due. On Redis, once
    that exceeds visibility_timeout the message is restored and delivered again: two runs.
    The idempotent task records one shipment anyway."""
    order, visibility = 106, 2
    env = celery_env("reliability.redis-eta", broker="redis", VISIBILITY_TIMEOUT=str(visibility), **VARIANTS)
    clean(store, order)

    with worker(env, celery_logdir, app="redis_visibility"):
        celery_client(env).send_task(TASK, args=[order], countdown=6)
        eventually(lambda: attempts(store, order) >= 2, 20, what="a second run")
    assert store.lrange("shipments", 0, -1) == [str(order)]
