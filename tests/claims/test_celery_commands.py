"""Every `$ celery ...` command on the Celery pages is run here, as written.

Long-running commands (worker, beat, events, flower) are started, must become ready, and are
stopped; one-shot commands must exit 0 and print what they are for. Commands run in the folder of
the module `-A` names, with a broker space of their own per app (private RabbitMQ vhost, private
Redis), so they never touch the shared services. Long-running ones get the test-only changes every
Celery process of the tests gets (services.celery_cli.as_tested: a free port for Flower, a unique
node name and quicker start-up for workers); one-shot ones run as written, except that `<task-id>`
becomes the id `celery call` printed.
"""

from __future__ import annotations

import re
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from services import celery_cli
from services.celery_cli import CeleryProcess, as_tested, run_celery
from services.paths import DOCS, SNIPPETS
from services.procs import free_port
from services.transcripts import page_commands

CELERY_SNIPPETS = SNIPPETS / "celery"
PAGES = DOCS / "celery"
CHEATSHEET = PAGES / "pitfalls.md"
LONG_RUNNING = {"worker", "beat", "events", "flower"}
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")

# What a one-shot command must print (after it exited 0).
EXPECT = {
    ("status",): "nodes online",
    ("inspect", "ping"): "pong",
    ("inspect", "registered"): "tasks.add",
    ("inspect", "active_queues"): "'name': '",  # each app's own queue (task_default_queue)
    ("inspect", "stats"): "max-concurrency",
    ("control", "rate_limit"): "new rate limit set successfully",
    ("control", "add_consumer"): "add consumer ",
    ("control", "cancel_consumer"): "no longer consuming from ",
    ("control", "revoke"): "flagged as revoked",
    ("control", "shutdown"): "shutdown",
    ("result",): "5",
    ("report",): "celery:",
}


def app_folder(command: str) -> tuple[str, Path]:
    """-A module[.attr] -> (module, the snippet folder that holds it)."""
    module = shlex.split(command)[2].split(".")[0].split(":")[0]
    if module == "tasks":
        return module, CELERY_SNIPPETS / "first_app" / "rabbitmq"
    candidates = sorted(CELERY_SNIPPETS.rglob(f"{module}.py")) + sorted(CELERY_SNIPPETS.rglob(f"{module}/__init__.py"))
    for candidate in candidates:
        return module, (candidate.parent if candidate.name != "__init__.py" else candidate.parent.parent)
    raise AssertionError(f"no module {module!r} under snippets/celery for: {command}")


def subcommand(command: str) -> tuple[str, ...]:
    words = shlex.split(command)[3:]
    return tuple(words[:2]) if words[0] in {"inspect", "control"} else (words[0],)


def start(command: str, env: dict, cwd: Path, logdir: Path, tmp_path: Path) -> CeleryProcess:
    kind = subcommand(command)[0]
    if kind == "flower":
        return celery_cli.flower(command, folder=cwd, env=env, logdir=logdir)
    if kind == "beat":  # its schedule file goes to its cwd: a temp dir
        return celery_cli.beat(command, folder=cwd, rundir=tmp_path / f"beat-{free_port()}", env=env, logdir=logdir)
    ready = {"worker": " ready.", "events": "-> evdump: starting capture"}[kind]
    return CeleryProcess(as_tested(command), cwd=cwd, env=env, logdir=logdir, ready=ready, name=kind)


def _env_for(module: str, celery_env) -> dict:
    # every broker/backend variable points at private services (CELERY_BROKER_URL unset: reliable_tasks
    # falls back to AMQP_URL; the Redis tab's tasks.py is not what `-A tasks` runs here)
    return celery_env(f"commands.{module}", SMTP_PORT=str(free_port()))


def _run_one_shot(command: str, env: dict, cwd: Path, ids: dict) -> str:
    if "<task-id>" in command:
        command = command.replace("<task-id>", ids["last"])
    t0 = time.monotonic()
    done = run_celery(command, cwd=cwd, env=env, timeout=60)
    print(f"{time.monotonic() - t0:5.1f}s {command}")
    if subcommand(command) == ("control", "shutdown"):  # the workers stop instead of replying (exit 69)
        assert "No nodes replied" in done.stdout or "shutdown" in done.stdout, done.stdout
        return done.stdout
    assert done.returncode == 0, f"{command}\n{done.stdout}"
    if subcommand(command) == ("call",):
        ids["last"] = UUID.search(done.stdout).group(0)
        time.sleep(0.5)  # let a worker run it before `result` asks
    expected = EXPECT.get(subcommand(command))
    if expected:
        assert expected in done.stdout, f"{command}: expected {expected!r} in:\n{done.stdout}"
    return done.stdout


READ_ONLY = {"status", "inspect", "report"}  # safe to run side by side


def _run_in_order(commands: list[str], env_for, ids: dict) -> None:
    """One-shot commands in page order; consecutive read-only ones run in parallel (each costs ~1 s of start-up)."""
    batch: list[str] = []

    def flush() -> None:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda c: _run_one_shot(c, *env_for(c), ids), batch))
        batch.clear()

    for command in commands:
        if subcommand(command)[0] in READ_ONLY:
            batch.append(command)
            continue
        flush()
        _run_one_shot(command, *env_for(command), ids)
    flush()


@pytest.mark.slow
@pytest.mark.page("celery/calling.md", "celery/canvas.md", "celery/first-app.md", "celery/integrations.md",
                  "celery/monitoring.md", "celery/periodic.md", "celery/reliability.md", "celery/retries.md",
                  "celery/serialization.md", "celery/workers.md")
def test_commands_of_the_pages_before_the_cheatsheet_run(celery_env, celery_logdir, tmp_path, request):
    """Worker, beat, events and Flower commands start and become ready; the one-shot ones succeed."""
    pages = {page: page_commands(page, "celery") for page in sorted(PAGES.glob("*.md")) if page != CHEATSHEET}
    named = request.node.get_closest_marker("page").args  # `--page` selects this test for each of them
    assert sorted(page.relative_to(DOCS).as_posix() for page, found in pages.items() if found) == sorted(named)
    commands = list(dict.fromkeys(c for found in pages.values() for c in found))
    assert len(commands) >= 15, commands
    long_running = [c for c in commands if subcommand(c)[0] in LONG_RUNNING]
    started: list[CeleryProcess] = []
    try:
        for command in long_running:  # launch all, then wait: they boot in parallel
            module, cwd = app_folder(command)
            started.append(start(command, _env_for(module, celery_env), cwd, celery_logdir, tmp_path).launch())
        for process in started:
            process.wait_ready(timeout=90)
        one_shot = [c for c in commands if subcommand(c)[0] not in LONG_RUNNING]
        _run_in_order(one_shot, lambda c: (_env_for(app_folder(c)[0], celery_env), app_folder(c)[1]), {})
    finally:
        for process in started:
            process.signal_stop()
        for process in started:
            process.stop()


@pytest.mark.slow
@pytest.mark.page("celery/pitfalls.md")
def test_cheatsheet_commands_run_in_order(celery_env, celery_logdir, tmp_path):
    """The commands below the `## Cheatsheet` heading (above it, the page's own workers: see test_celery_walks.py)."""
    cheatsheet = CHEATSHEET.read_text().split("\n## Cheatsheet", 1)[1]
    commands = [c for c in page_commands(CHEATSHEET, "celery") if f"$ {c}\n" in cheatsheet]
    assert len(commands) >= 20, commands
    module, cwd = app_folder(commands[0])
    env = _env_for(module, celery_env)
    started: list[CeleryProcess] = []
    ids: dict[str, str] = {}
    try:
        for command in commands:  # launch all long-running ones, then wait for each
            if subcommand(command)[0] in LONG_RUNNING:
                started.append(start(command, env, cwd, celery_logdir, tmp_path).launch())
        t0 = time.monotonic()
        for process in started:
            process.wait_ready(timeout=90)
        print(f"{time.monotonic() - t0:5.1f}s to start {len(started)} processes")
        _run_in_order([c for c in commands if subcommand(c)[0] not in LONG_RUNNING], lambda c: (env, cwd), ids)
        workers = [p for p in started if subcommand(p.command) == ("worker",)]
        for worker in workers:  # `control shutdown` (the last command) stopped them
            worker.proc.wait(timeout=20)
    finally:
        for process in started:
            process.stop()
