"""Claims of the Celery "Reliability" and "Calling tasks" pages about RabbitMQ's `consumer_timeout`: a countdown
held by the worker, and an `acks_late` task running, longer than the timeout; and the fixes (a per-queue
timeout, quorum queues with native delayed delivery).

Private nodes of each build (tests/fixtures/rabbitmq_builds.py, setup "timeouts"): `consumer_timeout = 3000`
(30 min by default), checked every second. The app is snippets/celery/reliable_tasks.py (`ship_order` counts
its runs in Redis); variants in tests/claims/programs/. A test's cases run at once, each in a vhost of its own.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pika
import pytest
from kombu import Queue
from services.celery_worker import CeleryWorker
from services.generations import RABBITMQ_BUILDS
from services.paths import PROGRAMS, SNIPPETS
from services.procs import eventually

pytestmark = [pytest.mark.slow, pytest.mark.page("celery/reliability.md", "celery/calling.md")]

TASK = "reliable_tasks.ship_order"
APP = SNIPPETS / "celery" / "reliable_tasks.py"
QUEUE = "reliable_tasks"  # the app's task_default_queue (and so its exchange's name)
TIMEOUT_S = 3  # the node's consumer_timeout
COUNTDOWN = 10  # s: well past the timeout and its 1 s check
SETTLE = 6  # s to watch for more runs after the first
WATCH = 20  # s past its due time to wait for a task to finish


@pytest.fixture
def node_env(build_node, redis_server):
    """`node_env(build)` -> env for an app in a vhost of its own on that build's "timeouts" node (one per case:
    a message one case leaves in its queue must not reach the next case's worker)."""
    made = []

    def make(build) -> dict:
        node = build_node(build, "timeouts")
        vhost = f"celery-{uuid.uuid4().hex[:8]}"
        node.ctl("add_vhost", vhost)
        node.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        made.append((node, vhost))
        return {"AMQP_URL": f"amqp://guest:guest@127.0.0.1:{node.port}/{vhost}", "REDIS_URL": redis_server.url,
                "SENTRY_DSN": "", "PYTHONPATH": str(PROGRAMS), "QUEUE_TIMEOUT_MS": "60000"}

    yield make
    for node, vhost in made:
        node.ctl("delete_vhost", vhost)


@pytest.fixture
def store(redis_server):
    client = redis_server.client(decode_responses=True)
    yield client
    client.close()


def runs(store, order: int) -> int:
    return int(store.get(f"order:{order}:attempts") or 0)


def clean(store, order: int) -> None:
    store.delete(f"order:{order}:attempts", f"order:{order}:shipped")


def worker_lines(log: str) -> list[str]:
    """The worker's log lines that tell what happened to its connection, without timestamps."""
    wanted = ("PRECONDITION_FAILED", "Connection to broker lost", "Cannot connect", "Connected to amqp",
              "consumer:", "Traceback", "Error", "warning", "WARNING")
    return [re.sub(r"^\[[\d-]+ [\d:,]+: ", "[", line) for line in log.splitlines() if any(w in line for w in wanted)]


# the producer declares the queue as the worker does (else RabbitMQ refuses the second, inequivalent declaration)
SENDER_CONF = {
    "queue_timeout": {"task_queues": [Queue(QUEUE, queue_arguments={"x-consumer-timeout": 60000})]},
    "quorum_tasks": {"task_default_queue_type": "quorum", "task_default_exchange_type": "topic"},
    "quorum_direct": {"task_default_queue_type": "quorum"},
}


def queue_ready(env: dict, queue: str = QUEUE) -> int:
    conn = pika.BlockingConnection(pika.URLParameters(env["AMQP_URL"]))
    try:
        return conn.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        conn.close()


CLOSED = "PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out"
COUNTDOWN_CASES = {  # program (tests/claims/programs/ or the snippet) -> how the page names the setting
    "reliable_tasks": "`reliable_tasks.py` as shown (classic queue)",
    "channel_retry": "the same + `broker_channel_error_retry=True`",
    "queue_timeout": "the same + queue argument `x-consumer-timeout: 60000`",
    "quorum_direct": "`task_default_queue_type=\"quorum\"` alone",
    "quorum_tasks": "`task_default_queue_type=\"quorum\"` + `task_default_exchange_type=\"topic\"`",
}


def run_case(env: dict, variant: str, order: int, store, celery_client, logdir, *, countdown=None, seconds=0.0,
             pool="threads") -> dict:
    """Send ship_order(order, seconds) (with `countdown`) to a worker of `variant`; watch until it ran or the
    worker exited, then SETTLE s more. What the worker did and how often the task ran."""
    clean(store, order)
    with CeleryWorker.of(APP, env=env, logdir=logdir, app=variant, pool=pool) as worker:
        client = celery_client(env)
        client.conf.update(task_default_queue=QUEUE, **SENDER_CONF.get(variant, {}))  # as the worker declares it
        sent = time.monotonic()
        result = client.send_task(TASK, args=[order, seconds], countdown=countdown)
        due = (countdown or 0) + seconds
        with contextlib.suppress(AssertionError):  # a run cancelled at every 406 never ends: watch WATCH s past due
            eventually(lambda: result.ready() or worker.proc.poll() is not None, due + WATCH, interval=0.2,
                       what="the task done or the worker gone")
        took = time.monotonic() - sent
        time.sleep(SETTLE)
        if "Unrecoverable error" in worker.output():  # it is on its way out: let it finish what it runs, and exit
            # A prefork worker sometimes hangs in that shutdown after its task has ended (seen in about 1 run
            # of 4 here; the worker's context manager then kills it): recorded as exit None, never waited out.
            with contextlib.suppress(AssertionError):
                eventually(lambda: worker.proc.poll() is not None, 60, interval=0.2, what="the worker exits")
        log = worker.output()
        exit_code = worker.proc.poll()
    lines = worker_lines(log)
    return {"runs": runs(store, order), "state": result.state, "took": round(took), "exit": exit_code, "pool": pool,
            "fatal": [line for line in lines if "Unrecoverable error" in line and CLOSED in line],
            "reconnects": sum(1 for line in lines if "Connection to broker lost" in line and CLOSED in line),
            "warnings": [line for line in lines if "native delayed delivery" in line], "ready": queue_ready(env),
            "ack_failed": any("Couldn't ack" in line and "connection already closed" in line for line in lines)}


def run_cases(build, variants: dict, node_env, first_order: int, **case) -> dict:
    """`run_case` for every variant at once, each with a vhost, a worker and an order number of its own: a case
    mostly waits (a countdown, a timeout, SETTLE s), and one after the other they took ~2 min per build."""
    envs = [node_env(build) for _ in variants]  # the vhosts first: rabbitmqctl, one at a time
    with ThreadPoolExecutor(len(variants)) as pool:
        futures = {variant: pool.submit(run_case, env, variant, first_order + n, **case)
                   for n, (variant, env) in enumerate(zip(variants, envs, strict=True))}  # fmt: skip
    return {variant: future.result() for variant, future in futures.items()}


def worker_cell(case: dict) -> str:
    said = "".join(f"logged `{line.split('] ', 1)[-1]}`; " for line in case["warnings"])
    if case["fatal"] and case["pool"] == "prefork":  # exits with code 1, or hangs in its shutdown (run_case)
        return (f"{said}**stopped** on the 406: `Unrecoverable error: PreconditionFailed(406, ...)`, then exited "
                "(code 1) or, on some runs, hung in its shutdown")
    if case["fatal"]:
        return f"{said}**exited** (code {case['exit']}) on the 406: `Unrecoverable error: PreconditionFailed(406, ...)`"
    if case["reconnects"]:
        return f"{said}reconnected after each 406 ({case['reconnects']} times)"
    return f"{said}no channel closed"


def task_cell(case: dict) -> str:
    if case["runs"] == 0:
        return f"**not run**, state `{case['state']}`; the message back in the queue ({case['ready']} ready)"
    if case["state"] != "SUCCESS":
        return (f"started {case['runs']} times in {case['took']} s, each run cancelled at the next 406: "
                "**never finished**")
    times = "once" if case["runs"] == 1 else f"**{case['runs']} times**"  # one shape for any count (vary=True)
    return f"ran {times}, `{case['state']}` after {case['took']} s; {case['ready']} left in the queue"


@pytest.mark.timeout(1500)  # five workers on a loaded machine
@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_a_countdown_past_consumer_timeout(build, node_env, store, celery_client, celery_logdir, results):
    """ship_order with countdown=10 on a node whose consumer_timeout is 3 s: the worker holds the message
    unacknowledged until it is due, and the broker closes its channel first."""
    cases = run_cases(build, COUNTDOWN_CASES, node_env, 210, store=store, celery_client=celery_client,
                      logdir=celery_logdir, countdown=COUNTDOWN)
    lines = [f"| {build.label}, `consumer_timeout` {TIMEOUT_S} s, `countdown={COUNTDOWN}` | Worker | Task |",
             "|---|---|---|"]
    lines += [f"| {COUNTDOWN_CASES[v]} | {worker_cell(c)} | {task_cell(c)} |" for v, c in cases.items()]
    results(f"celery/countdown_consumer_timeout.{build}.md", "\n".join(lines), vary=True)

    for variant in ("reliable_tasks", "quorum_direct"):  # the worker holds the countdown: the broker ends it
        assert cases[variant]["fatal"] and cases[variant]["exit"] == 1, cases[variant]
        assert (cases[variant]["runs"], cases[variant]["ready"]) == (0, 1)
    assert cases["quorum_direct"]["warnings"]
    retry = cases["channel_retry"]
    assert retry["reconnects"] >= 1 and not retry["fatal"] and (retry["runs"], retry["state"]) == (1, "SUCCESS")
    native = cases["quorum_tasks"]  # parked in the broker's delay queues, delivered when due
    assert native["reconnects"] == 0 and not native["fatal"] and (native["runs"], native["state"]) == (1, "SUCCESS")
    per_queue = cases["queue_timeout"]
    if build.version.startswith("4."):  # the queue's own timeout counts
        assert not per_queue["fatal"] and (per_queue["runs"], per_queue["state"]) == (1, "SUCCESS")
    else:  # 3.10 ignores it: as without it
        assert per_queue["fatal"] and per_queue["runs"] == 0
    log = cases["reliable_tasks"]["fatal"][0]
    results("celery/consumer_timeout_worker_log.md", f"```text\n{log}\n```")


LONG_S = 8  # s: ship_order's run time, past the 3 s timeout
LONG_CASES = {
    "reliable_tasks": "`reliable_tasks.py` as shown (`acks_late`)",
    "channel_retry": "the same + `broker_channel_error_retry=True`",
    "cancel_on_loss": "the same + `worker_cancel_long_running_tasks_on_connection_loss=True`",
    "queue_timeout": "`acks_late` + queue argument `x-consumer-timeout: 60000`",
}


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_an_acks_late_task_running_past_consumer_timeout(build, node_env, store, celery_client, celery_logdir, results):
    """ship_order(order, 8) with acks_late on a prefork worker: the unacknowledged delivery outlives the 3 s timeout."""
    cases = run_cases(build, LONG_CASES, node_env, 220, store=store, celery_client=celery_client,
                      logdir=celery_logdir, seconds=LONG_S, pool="prefork")
    head = f"| {build.label}, `consumer_timeout` {TIMEOUT_S} s, an {LONG_S} s task | Worker | Task |"
    lines = [head, "|---|---|---|"]
    lines += [f"| {LONG_CASES[v]} | {worker_cell(c)} | {task_cell(c)} |" for v, c in cases.items()]
    results(f"celery/acks_late_consumer_timeout.{build}.md", "\n".join(lines), vary=True)

    plain = cases["reliable_tasks"]  # the run finished, its ack could not: the next worker runs it again
    assert plain["fatal"] and plain["exit"] in (1, None) and plain["runs"] == 1 and plain["ready"] == 1
    retry = cases["channel_retry"]  # redelivered to the same worker while the first copy still ran
    assert retry["reconnects"] >= 1 and retry["runs"] >= 2 and retry["ack_failed"]
    cancel = cases["cancel_on_loss"]  # each copy is cancelled at the next 406, before it can end
    assert cancel["reconnects"] >= 2 and cancel["runs"] >= 2 and cancel["state"] != "SUCCESS"
    per_queue = cases["queue_timeout"]
    if build.version.startswith("4."):
        assert not per_queue["fatal"] and not per_queue["reconnects"]
        assert (per_queue["runs"], per_queue["ready"]) == (1, 0)
    else:
        assert per_queue["fatal"] and per_queue["ready"] == 1
