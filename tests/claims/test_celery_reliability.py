"""Claims of the Celery "Reliability" page, proven by crashing real workers.

The app is snippets/celery/reliable_tasks.py (acks_late + reject_on_worker_lost, idempotent
`ship_order`), its worker started from the command in its docstring. Variants that switch one setting
off are small modules in tests/claims/programs/ that import the snippet's app and change its config.
"""

from __future__ import annotations

import contextlib
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
QUEUE = "reliable_tasks"  # the app's task_default_queue
VARIANTS = {"PYTHONPATH": str(PROGRAMS)}  # early_ack.py, no_reject.py, redis_visibility.py, cancel_on_loss.py


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


def queue_state(amqp_url: str, queue: str = QUEUE) -> tuple[int, int]:
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
    result = celery_client(env).send_task(TASK, args=[order, 3], queue=QUEUE)

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
    result = celery_client(env).send_task(TASK, args=[order, 3], queue=QUEUE)

    with worker(env, celery_logdir, app="early_ack", pool="prefork", concurrency=1) as first:
        eventually(lambda: attempts(store, order) == 1, 15, what="first attempt")
        first.kill9()
    eventually(lambda: queue_state(env["AMQP_URL"])[1] == 0, 10, what="consumer gone")
    time.sleep(0.5)  # had there been an unacked message, it would be back by now
    assert queue_state(env["AMQP_URL"]) == (0, 0)
    assert result.state == "PENDING" and attempts(store, order) == 1
    assert store.get(f"order:{order}:shipped") is None


def _kill_pool_child_mid_task(env, client, store, order, logdir, app):
    result = client.send_task(TASK, args=[order, 3], queue=QUEUE)
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
    result = celery_client(env).send_task(TASK, args=[order, 2], queue=QUEUE)

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
        celery_client(env).send_task(TASK, args=[order], countdown=6, queue=QUEUE)
        eventually(lambda: attempts(store, order) >= 2, 20, what="a second run")
    assert store.lrange("shipments", 0, -1) == [str(order)]


CRASH = PROGRAMS / "crash_tasks.py"  # tasks that SIGKILL their own pool process, every time


def test_a_task_that_always_kills_its_process_is_requeued_without_end(
    celery_env, celery_client, celery_logdir, store, results
):
    """acks_late + reject_on_worker_lost: every crash puts the message back, and the next run crashes again.
    `retry_on_worker_lost` (Celery 5.7) resends it as `retry()` would instead, so `max_retries` ends the loop."""
    env, forever, bounded = celery_env("reliability.crash-loop"), "crash:forever", "crash:bounded"
    store.delete(forever, bounded)
    client = celery_client(env)
    looping = client.send_task("crash_tasks.crash_forever", args=[forever])
    with CeleryWorker.of(CRASH, env=env, logdir=celery_logdir, concurrency=1):
        eventually(lambda: attempts_of(store, forever) >= 5, 90, interval=0.5, what="the loop going round")
    loop_state = looping.state
    purged = client.control.purge()  # the worker is gone, the message back: end the loop (this test's own vhost)
    retried = client.send_task("crash_tasks.crash_with_retries", args=[bounded])
    with CeleryWorker.of(CRASH, env=env, logdir=celery_logdir, concurrency=1):
        try:
            outcome = retried.get(timeout=60)
        except WorkerLostError as exc:
            outcome = exc
    runs = attempts_of(store, bounded)
    assert loop_state == "PENDING" and purged == 1
    assert isinstance(outcome, WorkerLostError), outcome
    assert runs == 3  # the first run and max_retries=2
    results("celery/crash_loop.md", "\n".join([
        "| Task settings | Runs | Outcome |",
        "|---|---|---|",
        "| `acks_late` + `reject_on_worker_lost` | 5 and counting (the test stopped it) | never ends: state `PENDING`, "
        "the message back in the queue after every crash |",
        f"| the same + `retry_on_worker_lost=True`, `max_retries=2` | {runs} | `FAILURE`: "
        f"`{type(outcome).__name__}('{str(outcome).split(' Job:')[0]}')` |",
    ]))  # fmt: skip


def attempts_of(store, key: str) -> int:
    return int(store.get(key) or 0)


LOSS_TASK_S = 30  # long enough for rabbitmqctl to close the connection while the first run goes on
LOSS_CASES = {
    "reliable_tasks": "`reliable_tasks.py` as shown",
    "cancel_on_loss": "the same + `worker_cancel_long_running_tasks_on_connection_loss=True`",
}


@pytest.mark.parametrize("variant", LOSS_CASES)
def test_acks_late_task_and_a_lost_connection(variant, celery_env, celery_client, celery_logdir, store, broker_spaces,
                                              results):
    """The broker drops the worker's connection (`rabbitmqctl close_all_connections`) while a 30 s acks_late task
    runs: the worker reconnects and gets the message again. By default the first run goes on alongside the second;
    with worker_cancel_long_running_tasks_on_connection_loss the first is cancelled."""
    env = celery_env(f"reliability.lost-connection-{variant}", **VARIANTS)
    order = 107 if variant == "reliable_tasks" else 108
    clean(store, order)
    vhost = env["AMQP_URL"].rsplit("/", 1)[1]
    result = celery_client(env).send_task(TASK, args=[order, LOSS_TASK_S], queue=QUEUE)
    with worker(env, celery_logdir, app=variant, pool="prefork") as running:
        eventually(lambda: attempts(store, order) == 1, 30, what="first attempt")
        broker_spaces.node.ctl("close_all_connections", "-p", vhost, "a network cut")  # a few s on a loaded machine
        assert result.get(timeout=LOSS_TASK_S * 3).startswith(f"order {order}")
        with contextlib.suppress(AssertionError):  # a second run, if one goes on alongside, ends within the task's time
            eventually(lambda: running.output().count("] succeeded in") >= 2, LOSS_TASK_S, interval=0.5)
        log = running.output()
    finished, cancelled = log.count("] succeeded in"), "Terminating it instead" in log
    shipped = store.lrange("shipments", 0, -1).count(str(order))
    setting = LOSS_CASES[variant]
    results(f"celery/lost_connection.{variant}.md",  # a list item: the page lists both variants
            f"- {setting}: {attempts(store, order)} runs started, {finished} finished, first run cancelled: "
            f"{'yes' if cancelled else 'no'}; shipped {shipped} time(s)")
    shown = "\n".join(line for line in log.splitlines() if "MainProcess]" in line or "Terminating" in line)
    assert attempts(store, order) == 2, shown
    assert cancelled == (variant == "cancel_on_loss"), shown
    assert finished == (1 if cancelled else 2), shown
