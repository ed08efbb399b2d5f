"""Claims of the Celery "Periodic tasks", "Retries and errors", "Workers at scale" and "Pitfalls" pages
that need several workers, beat processes or a pool other than the one the snippet runs on."""

from __future__ import annotations

import time

import pytest
from celery.exceptions import NotRegistered
from services import celery_cli
from services.celery_worker import CeleryWorker
from services.paths import PROGRAMS, SNIPPETS

pytestmark = pytest.mark.page("celery/periodic.md", "celery/retries.md", "celery/workers.md", "celery/pitfalls.md")

CELERY = SNIPPETS / "celery"
[BEAT] = celery_cli.module_commands(CELERY / "periodic_tasks.py", "beat")
WINDOW = 4.0  # seconds each beat configuration runs


def _ticks_while_beats_run(count: int, env: dict, store, logdir, tmp_path) -> int:
    store.delete("ticks:heartbeat")
    beats = []
    try:
        for n in range(count):  # each in its own folder: its own schedule file, as on two machines
            beat = celery_cli.beat(BEAT, folder=CELERY, rundir=tmp_path / f"beat{n}", env=env, logdir=logdir)
            beats.append(beat.start())
        time.sleep(WINDOW)
    finally:
        for beat in beats:
            beat.stop()
    time.sleep(0.5)  # let the worker finish what the beats sent last
    return store.llen("ticks:heartbeat")


@pytest.mark.slow
def test_one_beat_runs_the_interval_task_each_second_two_beats_run_it_twice(
    celery_env, celery_logdir, redis_server, tmp_path
):
    env = celery_env("beat")
    store = redis_server.client()
    with CeleryWorker.of(CELERY / "periodic_tasks.py", env=env, logdir=celery_logdir):
        one = _ticks_while_beats_run(1, env, store, celery_logdir, tmp_path / "one")
        two = _ticks_while_beats_run(2, env, store, celery_logdir, tmp_path / "two")
    print(f"in {WINDOW:.0f} s: one beat -> {one} runs, two beats -> {two} runs")
    assert WINDOW - 1 <= one <= WINDOW + 1  # "schedule": 1.0
    assert two >= 2 * one - 2  # every tick sent twice


@pytest.mark.slow
def test_threads_pool_ignores_time_limits(celery_env, celery_client, celery_logdir):
    """time_limit=1 / soft_time_limit=1 are enforced by prefork (see the time_limits.py snippet), not by threads."""
    env = celery_env("time-limits-threads")
    with CeleryWorker.of(CELERY / "time_limit_tasks.py", env=env, logdir=celery_logdir, pool="threads"):
        client = celery_client(env)
        queue = "time_limit_tasks"  # the app's task_default_queue
        assert client.send_task("time_limit_tasks.stuck", args=[2], queue=queue).get(timeout=10) == "finished"
        report = client.send_task("time_limit_tasks.render_report", args=[2], queue=queue)
        assert report.get(timeout=10) == "report complete"


@pytest.mark.slow
def test_two_apps_consuming_one_queue_drop_each_others_tasks(celery_env, celery_client, celery_logdir):
    """canvas_tasks and calling_tasks made to consume one queue ("celery", as apps without task_default_queue do) in
    one vhost: tasks of one app that reach the other app's worker fail with NotRegistered."""
    env = celery_env("two-apps-one-queue")
    with CeleryWorker.of(CELERY / "canvas_tasks.py", env=env, logdir=celery_logdir, queues="celery"), \
         CeleryWorker.of(CELERY / "calling_tasks.py", env=env, logdir=celery_logdir, queues="celery"):
        client = celery_client(env)
        results = [client.send_task("canvas_tasks.add", args=[n, n]) for n in range(10)]
        outcomes = []
        for result in results:
            try:
                result.get(timeout=10)
                outcomes.append("ok")
            except NotRegistered:
                outcomes.append("NotRegistered")
    assert {"ok", "NotRegistered"} == set(outcomes), outcomes


LEAKY = PROGRAMS / "leaky_tasks.py"  # leak(mib): keeps `mib` MiB more each call; returns its pid and RSS
LEAK_MIB, CALLS = 20, 6
RECYCLE = {  # how the worker runs -> the options of the page's table
    "prefork, no limit": dict(pool="prefork"),
    "prefork, `--max-tasks-per-child 2`": {"pool": "prefork", "max-tasks-per-child": "2"},
    "prefork, `--max-memory-per-child 102400` (100 MiB)": {"pool": "prefork", "max-memory-per-child": "102400"},
    "threads, both options": {"pool": "threads", "max-tasks-per-child": "2", "max-memory-per-child": "102400"},
}


@pytest.mark.slow
@pytest.mark.timeout(900)  # four workers, one after the other
def test_only_prefork_recycles_a_leaking_process(celery_env, celery_client, celery_logdir, results):
    """Six calls of a task that keeps 20 MiB more each time, one at a time: which process ran each, and its RSS."""
    lines = ["| Worker | Process per call (a, b, ... = a new process) | RSS after each call (MiB) |", "|---|---|---|"]
    seen = {}
    for label, options in RECYCLE.items():
        env = celery_env("leak")
        with CeleryWorker.of(LEAKY, env=env, logdir=celery_logdir, concurrency="1", **options):
            client = celery_client(env)
            calls = [client.send_task("leaky_tasks.leak", args=[LEAK_MIB]).get(timeout=60) for _ in range(CALLS)]
        names = {}
        letters = [names.setdefault(call["pid"], "abcdefgh"[len(names)]) for call in calls]
        seen[label] = (letters, [call["rss_mib"] for call in calls])
        lines.append(f"| {label} | {' '.join(letters)} | {' '.join(str(r) for r in seen[label][1])} |")
    results("celery/worker_recycling.md", "\n".join(lines), vary=True)

    assert seen["prefork, no limit"][0] == ["a"] * CALLS
    assert seen["prefork, `--max-tasks-per-child 2`"][0] == ["a", "a", "b", "b", "c", "c"]
    by_memory = seen["prefork, `--max-memory-per-child 102400` (100 MiB)"]
    assert len(set(by_memory[0])) > 1 and max(by_memory[1]) > 100  # the call that crossed the limit finished
    assert seen["threads, both options"][0] == ["a"] * CALLS  # never recycled
    rss = seen["threads, both options"][1]
    assert rss == sorted(rss) and rss[-1] - rss[0] >= (CALLS - 1) * LEAK_MIB - 5
