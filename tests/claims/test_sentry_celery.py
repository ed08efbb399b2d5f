"""docs/sentry/celery.md: autoretry behaves like retry(), `throws` and swallowed errors send nothing; where
init() runs decides what a prefork worker reports; what `data_collection` sends of a task's arguments."""

from __future__ import annotations

import json
import re
import time

import pytest
from celery import Celery
from services.bugsink import data, exception
from services.celery_worker import CeleryWorker
from services.paths import PROGRAMS
from services.procs import eventually

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


# -- where init() runs, per pool ----------------------------------------------------------------

POOLS = PROGRAMS / "sentry_pools.py"
TASKS = 4


def _worker_run(bugsink, celery_env, celery_client, logdir, name: str, *, pool: str, where: str,
                tasks: list[tuple[str, tuple, dict]], **extra: str) -> tuple[list[dict], str, bool]:
    """Start sentry_pools.py's worker (one pool process or thread), run `tasks`, then the canary task.

    Returns (stored events, worker log, whether the SDK was on where the tasks ran). The canary runs
    after the tasks in the same process and flushes its SDK queue, so every event the tasks queued
    has been sent (and stored: Bugsink ingests at once) when it returns.
    """
    project = bugsink.new_project(f"celery: {name}")
    env = celery_env(f"sentry.pools.{name}", SENTRY_DSN=project.dsn, SENTRY_INIT=where, **extra)
    worker = CeleryWorker.of(POOLS, env=env, logdir=logdir, pool=pool, concurrency="1")
    try:
        worker.start(timeout=120)  # a loaded machine: worker start-up is slow
        app = celery_client(env)
        app.conf.task_default_queue = "sentry_pools"
        sent = [app.send_task(f"sentry_pools.{task}", args=args, kwargs=kwargs) for task, args, kwargs in tasks]
        for result in sent:
            result.get(timeout=60, propagate=False)
            assert result.state == "FAILURE", result.state
        active = app.send_task("sentry_pools.canary").get(timeout=60)
        events = [e for e in bugsink.all_events(project) if data(e).get("message") != "canary"]
    finally:
        worker.stop()
    return events, worker.log.read_text(), active


# (pool, worker_pool_start_method, where init() runs)
WHERE_INIT = [("prefork", "fork", "celeryd_init"), ("prefork", "fork", "worker_process_init"),
              ("prefork", "spawn", "celeryd_init"), ("prefork", "spawn", "worker_process_init"),
              ("prefork", "spawn", "import"), ("threads", "", "celeryd_init"), ("threads", "", "worker_process_init")]


@pytest.mark.slow
def test_init_in_celeryd_init_reports_from_every_pool_worker_process_init_from_none(
        bugsink, celery_env, celery_client, celery_logdir, results):  # fmt: skip
    rows = []
    fails = [("fail", (n,), {}) for n in range(TASKS)]
    for pool, start, where in WHERE_INIT:
        events, log, active = _worker_run(bugsink, celery_env, celery_client, celery_logdir, f"{pool}-{start}-{where}",
                                          pool=pool, where=where, tasks=fails, POOL_START_METHOD=start)
        events = [e for e in events if _title(e).startswith("ValueError: task")]
        failed = len(re.findall(r"raised unexpected: ValueError", log))
        assert failed == TASKS, log
        on = "yes" if active else "**no**: `init()` never ran there"
        label = f"`{pool}`" + (f", `{start}`" if start else "")
        at = "the task module's top level" if where == "import" else f"`{where}`"
        rows.append(f"| {label} | {at} | {TASKS} | {on} | {len(events)} |")
        if (start, where) == ("fork", "worker_process_init"):
            assert active and events == []  # the SDK is on in the child, and reports nothing
            line = next(x for x in log.splitlines() if "raised unexpected: ValueError" in x)
            results("sentry/errors/celery-no-events.txt", _worker_line(line), vary=True)
        elif (start, where) in (("fork", "celeryd_init"), ("", "celeryd_init")):
            assert active and len(events) == TASKS, [_title(e) for e in events]
        elif (start, where) == ("spawn", "celeryd_init"):  # a spawned child does not inherit the parent's SDK
            assert not active and events == []
        elif (start, where) == ("spawn", "worker_process_init"):  # on, but after the child built its tracers
            assert active and events == []
        elif (start, where) == ("spawn", "import"):  # each child imports the module before building tracers
            assert active and len(events) == TASKS, [_title(e) for e in events]
        else:  # threads: no pool process is started, so worker_process_init is never sent
            assert (pool, where) == ("threads", "worker_process_init") and not active and events == []
    results("sentry/celery_pools.md", "\n".join(
        ["| Pool, start method | `init()` in | Tasks failed | SDK on where they ran | Events stored for them |",
         "|---|---|---|---|---|", *rows]))


@pytest.mark.slow
def test_hard_time_limit_sends_the_parent_log_line_not_the_exception(
        bugsink, celery_env, celery_client, celery_logdir, results):  # fmt: skip
    project = bugsink.new_project("celery: hard-limit")
    env = celery_env("sentry.pools.hard-limit", SENTRY_DSN=project.dsn, SENTRY_INIT="celeryd_init")
    worker = CeleryWorker.of(POOLS, env=env, logdir=celery_logdir, pool="prefork", concurrency="1")
    try:
        worker.start(timeout=120)
        app = celery_client(env)
        app.conf.task_default_queue = "sentry_pools"
        result = app.send_task("sentry_pools.hang", args=(1,))
        result.get(timeout=60, propagate=False)
        assert result.state == "FAILURE"

        def the_log_event():
            found = [e for e in bugsink.all_events(project) if _title(e).startswith("Hard time limit")]
            assert found, [_title(e) for e in bugsink.all_events(project)]
            return found

        eventually(the_log_event, 60, interval=0.5, what="the parent's 'Hard time limit' event")
    finally:
        worker.stop()
    events = bugsink.all_events(project)
    for event in events:  # nothing from inside the task: no stack with the task's frame
        frames = data(event).get("exception", {}).get("values", [{}])[-1].get("stacktrace", {}).get("frames", [])
        assert "hang" not in [f.get("function") for f in frames], _title(event)
    line = next(x for x in worker.log.read_text().splitlines() if "Hard time limit" in x)
    results("sentry/errors/celery-hard-time-limit.txt", _worker_line(line), vary=True)


def _title(event: dict) -> str:
    d = data(event)
    if "exception" in d:
        return f"{exception(event)['type']}: {exception(event)['value']}".splitlines()[0]
    entry = d.get("logentry") or {}
    return entry.get("formatted") or entry.get("message") or str(d.get("message"))


def _worker_line(line: str) -> str:
    """A worker log line as the page shows it: the task id written as <task-id> (compare it with vary=True)."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<task-id>", line)


# -- task arguments and data_collection ----------------------------------------------------------

DATA_COLLECTION = {
    "not set (`send_default_pii` off)": None,
    '`data_collection={"user_info": False}`': {"user_info": False},
    '`data_collection={"user_info": False, "queues": False}`': {"user_info": False, "queues": False},
}


@pytest.mark.slow
def test_data_collection_sends_task_arguments_unless_queues_is_false(
        bugsink, celery_env, celery_client, celery_logdir, results):  # fmt: skip
    rows = []
    charge = [("charge", ("4111-1111-1111-1111",), {"password": "hunter2"})]
    for n, (label, option) in enumerate(DATA_COLLECTION.items()):
        extra = {"DATA_COLLECTION": json.dumps(option)} if option is not None else {}
        events, _, _ = _worker_run(bugsink, celery_env, celery_client, celery_logdir, f"data-collection-{n}",
                                 pool="threads", where="celeryd_init", tasks=charge, **extra)
        [event] = [e for e in events if _title(e) == "ValueError: card declined"]
        job = data(event)["extra"]["celery-job"]
        shown = {k: v for k, v in job.items() if k != "task_name"}
        rows.append(f"| {label} | `{json.dumps(shown)}` |")
    assert "hunter2" in rows[1] and "4111" in rows[1]  # in clear
    assert "hunter2" not in rows[0] + rows[2] and "4111" not in rows[0] + rows[2]
    results("sentry/celery_data_collection.md", "\n".join(
        ['| `init()` option | `extra["celery-job"]` stored (`task_name` aside) |', "|---|---|", *rows]))
