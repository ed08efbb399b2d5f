"""Every `$ celery ...` command on the Celery pages is run here, as written.

Long-running commands (worker, beat, events, flower) are started, must become ready, and are
stopped; one-shot commands must exit 0 and print what they are for. Commands run in the folder of
the module `-A` names, with a broker space of their own per app (private RabbitMQ vhost, private
Redis), so they never touch the shared services. Only two substitutions: Flower's port 5555 becomes
a free port, and `<task-id>` becomes the id `celery call` printed.
"""

from __future__ import annotations

import re
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fixtures.celery import CELERY_SNIPPETS
from harness import ROOT
from services.celery_cli import CeleryProcess, http_answers, run_celery
from services.procs import free_port

PAGES = ROOT / "docs" / "celery"
CHEATSHEET = PAGES / "pitfalls.md"
LONG_RUNNING = {"worker", "beat", "events", "flower"}
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")

# What a one-shot command must print (after it exited 0).
EXPECT = {
    ("status",): "nodes online",
    ("inspect", "ping"): "pong",
    ("inspect", "registered"): "tasks.add",
    ("inspect", "active_queues"): "'name': 'celery'",
    ("inspect", "stats"): "max-concurrency",
    ("control", "rate_limit"): "new rate limit set successfully",
    ("control", "add_consumer"): "add consumer ",
    ("control", "cancel_consumer"): "no longer consuming from ",
    ("control", "revoke"): "flagged as revoked",
    ("control", "shutdown"): "shutdown",
    ("result",): "5",
    ("report",): "celery:",
}


def page_commands(page: Path) -> list[str]:
    """The `$ celery ...` lines of the console blocks of a page, in order."""
    text = page.read_text()
    blocks = re.findall(r"```console\n(.*?)```", text, re.S)
    return [line[2:].strip() for block in blocks for line in block.splitlines() if line.startswith("$ celery ")]


def app_folder(command: str) -> tuple[str, Path]:
    """-A module[.attr] -> (module, the snippet folder that holds it)."""
    module = shlex.split(command)[2].split(".")[0].split(":")[0]
    if module == "tasks":
        return module, CELERY_SNIPPETS / "first_app" / "rabbitmq"
    for candidate in sorted(CELERY_SNIPPETS.rglob(f"{module}.py")) + sorted(CELERY_SNIPPETS.rglob(f"{module}/__init__.py")):
        return module, (candidate.parent if candidate.name != "__init__.py" else candidate.parent.parent)
    raise AssertionError(f"no module {module!r} under snippets/celery for: {command}")


def subcommand(command: str) -> tuple[str, ...]:
    words = shlex.split(command)[3:]
    return tuple(words[:2]) if words[0] in {"inspect", "control"} else (words[0],)


def start(command: str, env: dict, cwd: Path, logdir: Path, tmp_path: Path) -> CeleryProcess:
    kind = subcommand(command)[0]
    if kind == "flower":
        port = free_port()
        command = command.replace("--port=5555", f"--port={port}")
        ready = lambda: http_answers(f"http://127.0.0.1:{port}/healthcheck")  # noqa: E731
        return CeleryProcess(command, cwd=cwd, env=env, logdir=logdir, ready=ready, name="flower")
    if kind == "beat":  # its schedule file goes to its cwd: a temp dir
        folder = tmp_path / f"beat-{free_port()}"
        folder.mkdir()
        return CeleryProcess(command, cwd=folder, pythonpath=cwd, env=env, logdir=logdir, ready="beat: Starting...", name="beat")
    ready = {"worker": " ready.", "events": "-> evdump: starting capture"}[kind]
    return CeleryProcess(command, cwd=cwd, env=env, logdir=logdir, ready=ready, name=kind)


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
def test_commands_of_the_pages_before_the_cheatsheet_run(celery_env, celery_logdir, tmp_path):
    """Worker, beat, events and Flower commands start and become ready; the one-shot ones succeed."""
    commands = list(dict.fromkeys(c for page in sorted(PAGES.glob("*.md")) if page != CHEATSHEET for c in page_commands(page)))
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
def test_cheatsheet_commands_run_in_order(celery_env, celery_logdir, tmp_path):
    commands = page_commands(CHEATSHEET)
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
