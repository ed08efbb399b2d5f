"""Claims of the Celery "Reliability" page, proven by crashing real workers.

The app is snippets/celery/reliable_tasks.py (acks_late + reject_on_worker_lost, idempotent
`ship_order`). Variants that switch one setting off are small modules written to a temp dir that
import the snippet's app and change its config before the worker starts.
"""

from __future__ import annotations

import os
import signal
import time

import pika
import pytest
from celery.exceptions import WorkerLostError
from fixtures.celery import CELERY_SNIPPETS, child_pids, variant_module
from services.celery_worker import CeleryWorker
from services.errors import wait_until

pytestmark = pytest.mark.slow

TASK = "reliable_tasks.ship_order"


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

    with CeleryWorker("reliable_tasks", cwd=CELERY_SNIPPETS, env=env, logdir=celery_logdir) as first:
        wait_until(lambda: attempts(store, order) == 1, timeout=15, what="first attempt")
        first.kill9()
    # the broker saw the connection drop and put the message back in the queue
    assert wait_until(lambda: queue_state(env["AMQP_URL"]) == (1, 0), timeout=10, what="message requeued")

    with CeleryWorker("reliable_tasks", cwd=CELERY_SNIPPETS, env=env, logdir=celery_logdir):
        assert result.get(timeout=20) == f"order {order} shipped"
    assert attempts(store, order) == 2
    assert store.lrange("shipments", 0, -1) == [str(order)]


def test_without_acks_late_the_killed_task_is_lost(celery_env, celery_client, celery_logdir, store, tmp_path):
    """The default (ack when the task starts): the message is gone once the task began.

    Run on prefork, the default pool, which acks at once. (The threads pool sends that ack from its
    event loop, which may only wake up later: a crash in between can still requeue the message.)"""
    env, order = celery_env("reliability.early-ack"), 102
    env.update(variant_module(tmp_path, "early_ack", "from reliable_tasks import app\n\napp.conf.task_acks_late = False\n"))
    clean(store, order)
    result = celery_client(env).send_task(TASK, args=[order, 3])

    with CeleryWorker("early_ack", cwd=CELERY_SNIPPETS, env=env, logdir=celery_logdir, pool="prefork", concurrency=1) as first:
        wait_until(lambda: attempts(store, order) == 1, timeout=15, what="first attempt")
        first.kill9()
    wait_until(lambda: queue_state(env["AMQP_URL"])[1] == 0, timeout=10, what="consumer gone")
    time.sleep(0.5)  # had there been an unacked message, it would be back by now
    assert queue_state(env["AMQP_URL"]) == (0, 0)
    assert result.state == "PENDING" and attempts(store, order) == 1
    assert store.get(f"order:{order}:shipped") is None


def _kill_pool_child_mid_task(env, client, store, order, logdir, app):
    result = client.send_task(TASK, args=[order, 3])
    with CeleryWorker(app, cwd=CELERY_SNIPPETS, env=env, logdir=logdir, pool="prefork", concurrency=1) as worker:
        wait_until(lambda: attempts(store, order) == 1, timeout=15, what="first attempt")
        [child] = child_pids(worker.proc.pid)
        os.kill(child, signal.SIGKILL)  # e.g. the OOM killer; the worker's main process lives on
        outcome = None
        try:
            outcome = result.get(timeout=20)
        except WorkerLostError as exc:
            outcome = exc
        return outcome, worker.output()


def test_reject_on_worker_lost_requeues_when_the_pool_process_dies(celery_env, celery_client, celery_logdir, store):
    """prefork: kill only the child running the task. With reject_on_worker_lost the message is
    requeued and the worker (with a fresh child) runs it again."""
    env, order = celery_env("reliability.child-requeue"), 103
    clean(store, order)
    outcome, _ = _kill_pool_child_mid_task(env, celery_client(env), store, order, celery_logdir, "reliable_tasks")
    assert outcome == f"order {order} shipped"
    assert attempts(store, order) == 2


def test_without_reject_on_worker_lost_the_task_fails_with_worker_lost_error(
    celery_env, celery_client, celery_logdir, store, tmp_path
):
    """Same kill, reject_on_worker_lost off: acks_late alone does not requeue; the task FAILS."""
    env, order = celery_env("reliability.child-fail"), 104
    env.update(variant_module(tmp_path, "no_reject", "from reliable_tasks import app\n\napp.conf.task_reject_on_worker_lost = False\n"))
    clean(store, order)
    outcome, log = _kill_pool_child_mid_task(env, celery_client(env), store, order, celery_logdir, "no_reject")
    assert isinstance(outcome, WorkerLostError), outcome
    assert "signal 9 (SIGKILL)" in str(outcome)
    assert attempts(store, order) == 1


REDIS_SHORT_VISIBILITY = """from reliable_tasks import app

app.conf.broker_transport_options = {
    "visibility_timeout": %d,
    "unacked_restore_interval": 1,  # sweep every second (default 10 s x throttle 10)
    "unacked_restore_throttle": 1,
}
"""


def test_redis_broker_redelivers_only_after_the_visibility_timeout(celery_env, celery_client, celery_logdir, store, tmp_path):
    """Redis has no connection-bound acks: a killed worker's task waits in the 'unacked' hash until
    visibility_timeout has passed (then a worker's periodic sweep restores it)."""
    env, order, visibility = celery_env("reliability.redis-visibility", broker="redis"), 105, 6
    env.update(variant_module(tmp_path, "redis_visibility", REDIS_SHORT_VISIBILITY % visibility))
    clean(store, order)
    result = celery_client(env).send_task(TASK, args=[order, 2])

    with CeleryWorker("redis_visibility", cwd=CELERY_SNIPPETS, env=env, logdir=celery_logdir) as first:
        wait_until(lambda: attempts(store, order) == 1, timeout=15, what="first attempt")
        taken = time.monotonic()
        first.kill9()
    with CeleryWorker("redis_visibility", cwd=CELERY_SNIPPETS, env=env, logdir=celery_logdir):
        wait_until(lambda: attempts(store, order) == 2, timeout=visibility + 15, what="redelivery")
        waited = time.monotonic() - taken
        assert result.get(timeout=10) == f"order {order} shipped"
    assert waited >= visibility - 1, f"redelivered after {waited:.1f} s, before the visibility timeout"
    assert store.lrange("shipments", 0, -1) == [str(order)]


def test_redis_countdown_longer_than_visibility_timeout_runs_twice(celery_env, celery_client, celery_logdir, store, tmp_path):
    """A countdown/eta task is held unacknowledged by the worker until it is due. On Redis, once
    that exceeds visibility_timeout the message is restored and delivered again: two runs.
    The idempotent task records one shipment anyway."""
    env, order, visibility = celery_env("reliability.redis-eta", broker="redis"), 106, 2
    env.update(variant_module(tmp_path, "redis_eta", REDIS_SHORT_VISIBILITY % visibility))
    clean(store, order)

    with CeleryWorker("redis_eta", cwd=CELERY_SNIPPETS, env=env, logdir=celery_logdir):
        celery_client(env).send_task(TASK, args=[order], countdown=6)
        wait_until(lambda: attempts(store, order) >= 2, timeout=20, what="a second run")
    assert store.lrange("shipments", 0, -1) == [str(order)]
