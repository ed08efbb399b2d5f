"""docs/celery/troubleshooting.md: every error text and symptom on the page is triggered here, by real workers of
tests/claims/programs/orders.py on a private RabbitMQ node (its "/" vhost) and a private Redis, and written to
snippets/celery/results/errors/<row>.txt, which the page includes.

The node has `consumer_timeout = 3000` and a 1 s channel tick (30 min and 60 s by default) so the ack-timeout row
takes seconds. Task ids, pids, ports and timestamps are normalised (`normalised`).
"""

from __future__ import annotations

import os
import re
import time
import traceback
from pathlib import Path

import pytest
from celery import Celery, chord
from services.celery_cli import CeleryProcess, as_tested, module_commands, run_celery
from services.celery_worker import CeleryWorker
from services.procs import eventually, free_port
from services.rabbitmq_node import RabbitNode
from services.redis_server import RedisServer

pytestmark = pytest.mark.page("celery/troubleshooting.md")

PROGRAMS = Path(__file__).parent / "programs"
[COMMAND] = module_commands(PROGRAMS / "orders.py")
TICK_1S = "[{rabbit, [{channel_tick_interval, 1000}]}].\n"
WAIT = 60  # s, against hanging only

_RUN_SPECIFIC = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<task-id>"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"), "2026-01-01 12:00:00,000"),
    (re.compile(r"pid:\d+"), "pid:<pid>"),
    (re.compile(r"ForkPoolWorker-\d+"), "ForkPoolWorker-<n>"),
    (re.compile(r"Job: \d+"), "Job: <n>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"orders-[0-9a-f]{6}@\S+"), "orders@<host>"),
    (re.compile(r"\S*/site-packages/"), ".../site-packages/"),
]


def normalised(text: str) -> str:
    for pattern, replacement in _RUN_SPECIFIC:
        text = pattern.sub(replacement, text)
    return text.rstrip("\n") + "\n"


def error_text(exc: BaseException) -> str:
    """What Python prints as the last part of the traceback: `module.Class: message` (all its lines)."""
    return "".join(traceback.format_exception_only(exc))


def logged(process: CeleryProcess, pattern: str, lines: int = 1) -> str:
    """The first log line containing `pattern` and the `lines - 1` after it, once the process has written it."""

    def found() -> str:
        text = process.output().splitlines()
        [first, *_] = [i for i, line in enumerate(text) if pattern in line]
        return "\n".join(text[first:first + lines])

    return eventually(found, WAIT, interval=0.3, what=f"{pattern!r} in {process.log}")


@pytest.fixture(scope="module")
def reader_broker(tmp_path_factory):
    """{AMQP_URL, REDIS_URL}: a private node's "/" vhost and a private Redis, as a reader has them."""
    folder = tmp_path_factory.mktemp("troubleshooting")
    with RabbitNode(conf="consumer_timeout = 3000\n", advanced=TICK_1S) as node, \
            RedisServer(folder, name="redis-troubleshooting") as redis_server:
        yield {"AMQP_URL": node.url, "REDIS_URL": redis_server.url, "SENTRY_DSN": "", "C_FORCE_ROOT": ""}


@pytest.fixture(scope="module")
def logdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("troubleshooting-logs")


@pytest.fixture(scope="module")
def orders_worker(reader_broker, logdir):
    with CeleryWorker(COMMAND, cwd=PROGRAMS, env=reader_broker, logdir=logdir) as worker:
        yield worker


@pytest.fixture
def start_worker(reader_broker, logdir):
    """`start_worker(**env)`: another worker of orders.py (its own queue, say), stopped after the test."""
    started = []

    def start(**env: str) -> CeleryWorker:
        worker = CeleryWorker(COMMAND, cwd=PROGRAMS, env={**reader_broker, **env}, logdir=logdir)
        started.append(worker)
        return worker.start(timeout=90)

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def client(reader_broker):
    """`client(**conf)`: the caller's app (sends by name), with a result backend unless `backend=None`."""
    apps = []

    def make(backend: str | None = reader_broker["REDIS_URL"], **conf) -> Celery:
        app = Celery("caller", broker=reader_broker["AMQP_URL"], backend=backend, set_as_current=False)
        app.conf.update(conf)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def failure_of(result) -> BaseException:
    with pytest.raises(Exception) as failed:  # noqa: PT011 - the row is whatever it raises
        result.get(timeout=WAIT)
    return failed.value


# -- the worker's log --------------------------------------------------------------------------------------------------


def test_unregistered_task(orders_worker, client, results):
    """A task name the worker does not know (another app's task on the same queue, a module it did not import)."""
    result = client().send_task("invoices.send_invoice", args=[7], queue="orders")
    line = logged(orders_worker, "Received unregistered task of type", lines=2)
    caller = failure_of(result)
    results("celery/errors/unregistered-log.txt", normalised(line))
    results("celery/errors/unregistered.txt", normalised(error_text(caller)))


def test_pickle_refused(orders_worker, client, results):
    client(task_serializer="pickle").send_task("orders.add", args=[2, 3], queue="orders")
    line = logged(orders_worker, "Refusing to deserialize untrusted content of type pickle")
    results("celery/errors/pickle_refused-log.txt", normalised(line))


def test_superuser_warning_and_refusal(orders_worker, reader_broker, results):
    if os.getuid() != 0:
        pytest.skip("needs root: the check is about uid 0")
    warning = logged(orders_worker, "You're running the worker with superuser privileges", lines=2)
    refused = run_celery(as_tested(COMMAND), cwd=PROGRAMS, env={**reader_broker, "ACCEPT_PICKLE": "1"}, timeout=120)
    assert refused.returncode != 0, refused.stdout
    start = refused.stdout.index("Running a worker with superuser privileges")
    block = refused.stdout[start:].split("\n\n")[0]
    results("celery/errors/superuser-warning.txt", normalised(warning))
    results("celery/errors/superuser-pickle.txt", normalised(block))


@pytest.mark.parametrize("scheme", ["amqp", "redis"])
def test_worker_cannot_connect(scheme, reader_broker, logdir, results):
    url = {"amqp": f"amqp://guest:guest@127.0.0.1:{free_port()}//", "redis": f"redis://127.0.0.1:{free_port()}/0"}
    env = {**reader_broker, "BROKER_URL": url[scheme]}
    with CeleryProcess(as_tested(COMMAND), cwd=PROGRAMS, env=env, logdir=logdir, name="worker-refused") as worker:
        line = logged(worker, f"Cannot connect to {scheme}://", lines=2)
    results(f"celery/errors/worker_cannot_connect-log.{scheme}.txt", normalised(line))


def test_ack_timeout_of_a_countdown(start_worker, client, results):
    """A countdown longer than consumer_timeout: the worker holds the unacked message, the broker closes the channel."""
    worker = start_worker(ORDERS_QUEUE="orders-eta")
    client().send_task("orders.add", args=[2, 3], queue="orders-eta", countdown=20)
    line = logged(worker, "PRECONDITION_FAILED")
    eventually(lambda: worker.proc.poll() is not None, WAIT, interval=0.5, what="the worker to exit")
    results("celery/errors/ack_timeout-log.txt", normalised(line))


# -- the caller --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["amqp", "redis"])
def test_broker_down_for_the_caller(scheme, results):
    url = {"amqp": f"amqp://guest:guest@127.0.0.1:{free_port()}//", "redis": f"redis://127.0.0.1:{free_port()}/0"}
    app = Celery("caller", broker=url[scheme], set_as_current=False)
    app.conf.broker_connection_timeout = 2
    with pytest.raises(Exception) as refused:  # noqa: PT011
        app.send_task("orders.add", args=[2, 3])
    app.close()
    results(f"celery/errors/caller_refused.{scheme}.txt", normalised(error_text(refused.value)))


def test_not_json_serializable(client, results):
    class Customer:
        pass

    with pytest.raises(Exception) as refused:  # noqa: PT011
        client().send_task("orders.add", args=[Customer(), 1], queue="orders")
    results("celery/errors/encode_error.txt", normalised(error_text(refused.value)))


def test_get_inside_a_task(orders_worker, client, results):
    caller = failure_of(client().send_task("orders.receipt_total", args=[[[1, 2], [3, 4]]], queue="orders"))
    results("celery/errors/get_inside_task.txt", normalised(error_text(caller)))


def test_soft_time_limit(orders_worker, client, results):
    result = client().send_task("orders.render_report", queue="orders")
    caller = failure_of(result)
    line = logged(orders_worker, f"Soft time limit (1s) exceeded for orders.render_report[{result.id}]")
    results("celery/errors/soft_time_limit.txt", normalised(error_text(caller)))
    results("celery/errors/soft_time_limit-log.txt", normalised(line))


def test_hard_time_limit(orders_worker, client, results):
    result = client().send_task("orders.export_orders", queue="orders")
    caller = failure_of(result)
    line = logged(orders_worker, f"Hard time limit (1s) exceeded for orders.export_orders[{result.id}]")
    results("celery/errors/hard_time_limit.txt", normalised(error_text(caller)))
    results("celery/errors/hard_time_limit-log.txt", normalised(line))


def test_worker_lost_to_sigkill(orders_worker, client, results):
    caller = failure_of(client().send_task("orders.resize_huge_image", queue="orders"))
    line = logged(orders_worker, "exited with 'signal 9 (SIGKILL)'")
    results("celery/errors/worker_lost.txt", normalised(error_text(caller)))
    results("celery/errors/worker_lost-log.txt", normalised(line))


def test_max_retries_exceeded(orders_worker, client, results):
    caller = failure_of(client().send_task("orders.poll_gateway", queue="orders"))
    results("celery/errors/max_retries.txt", normalised(error_text(caller)))


def test_no_result_backend(client, results):
    app = client(backend=None)
    result = app.send_task("orders.add", args=[2, 3], queue="orders")
    with pytest.raises(NotImplementedError) as no_get:
        result.get(timeout=5)
    with pytest.raises(AttributeError) as no_state:
        _ = result.state
    results("celery/errors/no_backend.txt", normalised(error_text(no_get.value) + error_text(no_state.value)))


# -- PENDING: four ways (review finding #23) ---------------------------------------------------------------------------


@pytest.mark.page("celery/calling.md", "celery/pitfalls.md")
def test_pending_four_ways(start_worker, client, results):
    """No worker on the queue; an expired result; a worker without a result backend; an id nobody sent."""
    caller = client()
    rows = ["| Case | `result.state` | After |", "|---|---|---|"]

    nobody = caller.send_task("orders.add", args=[2, 3], queue="orders-nobody")
    with pytest.raises(Exception) as waited:  # noqa: PT011
        nobody.get(timeout=3)
    timed_out = error_text(waited.value).strip()
    rows.append(f"| no worker consumes the queue | `{nobody.state}` | `get(timeout=3)`: `{timed_out}` |")

    start_worker(ORDERS_QUEUE="orders-expiring", RESULT_EXPIRES="2")
    expiring = caller.send_task("orders.add", args=[2, 3], queue="orders-expiring")
    assert expiring.get(timeout=WAIT) == 5
    first = expiring.state
    started = time.monotonic()
    eventually(lambda: caller.AsyncResult(expiring.id).state == "PENDING", WAIT, interval=0.5, what="expiry")
    rows.append(f"| the task ran, its result expired (`result_expires = 2` here; 1 day by default) | `{first}`, "
                f"then `PENDING` | {time.monotonic() - started:.0f} s later |")

    worker = start_worker(ORDERS_QUEUE="orders-nobackend", NO_BACKEND="1")
    unrecorded = caller.send_task("orders.add", args=[2, 3], queue="orders-nobackend")
    logged(worker, f"orders.add[{unrecorded.id}] succeeded")
    rows.append(f"| the worker's app has no result backend (settings not loaded) | `{unrecorded.state}` | "
                "its log says `succeeded` |")

    made_up = caller.AsyncResult("no-such-task-id")
    rows.append(f"| an id nobody ever sent | `{made_up.state}` | |")
    results("celery/pending_four_ways.md", "\n".join(rows), vary=True)


# -- chords (review finding #24) ---------------------------------------------------------------------------------------


@pytest.mark.page("celery/canvas.md")
def test_a_failing_chord_member_means_chord_error_and_no_callback(orders_worker, client, results):
    caller = client()
    before = orders_worker.output().count("orders.total[")
    result = chord([caller.signature("orders.charge", args=[o], queue="orders") for o in ("order-1", "order-2")],
                   caller.signature("orders.total", queue="orders")).apply_async()
    caller_error = failure_of(result)  # get() raises the failed member's error first (result.parent)
    stored = result.get(timeout=WAIT, propagate=False)  # what the backend holds for the callback
    time.sleep(2)  # (the callback would be received by now)
    ran = orders_worker.output().count("orders.total[") - before
    assert ran == 0
    results("celery/errors/chord_error.txt", normalised(error_text(stored)))
    results("celery/chord_member_fails.md", "\n".join([
        "| What | Measured |", "|---|---|",
        f"| `result.get()` of the chord raises | `{error_text(caller_error).strip()}` |",
        f"| `result.state`, `result.result` (the callback's id) | `{result.state}`, `{type(stored).__name__}` |",
        f"| times the callback `total` ran | {ran} |",
    ]))


@pytest.mark.page("celery/canvas.md")
def test_header_tasks_with_ignore_result_on_the_redis_backend(orders_worker, client, results):
    caller = client()
    header = [caller.signature("orders.add", args=[i, i], queue="orders").set(ignore_result=True) for i in range(3)]
    result = chord(header, caller.signature("orders.total", queue="orders")).apply_async()
    fired = result.get(timeout=WAIT)
    results("celery/chord_ignore_result.md", "\n".join([
        "| Header tasks sent with `ignore_result=True`, Redis backend | Measured |", "|---|---|",
        f"| the callback `total` ran, and returned | `{fired}` (3 header results counted) |",
    ]))
