"""The `celery` command line for tests: one-shot commands (inspect, control, purge, ...) and long-running
ones (beat, flower, events), always with the snippet folder on PYTHONPATH and always stopped."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from .procs import free_port, spawn, stop, wait_ready


def celery_env(cwd: Path, env: dict, pythonpath: Path | None = None) -> dict:
    return {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(pythonpath or cwd), env.get("PYTHONPATH", "")])}


def celery_argv(command: str | list[str]) -> list[str]:
    """`celery -A x inspect ping` (as a reader types it) -> argv that runs the venv's celery."""
    args = shlex.split(command) if isinstance(command, str) else list(command)
    if args and args[0] == "celery":
        args = args[1:]
    return [sys.executable, "-m", "celery", *args]


def run_celery(command: str | list[str], *, cwd: Path, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a one-shot `celery ...` command to completion; output is stdout+stderr text."""
    return subprocess.run(
        celery_argv(command), cwd=cwd, env=celery_env(cwd, env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True, timeout=timeout,
    )  # fmt: skip


class CeleryProcess:
    """A long-running `celery ...` command (beat, flower, events --dump) with its output in a log file.

    `ready` is a text the log shows once the process is up (or a callable); `stop()` always ends it.
    `pythonpath` (default: `cwd`) is where the app module is, so e.g. beat can keep its schedule
    file in a temp dir (its cwd) while importing the app from the snippet folder.
    """

    def __init__(self, command: str | list[str], *, cwd: Path, env: dict, logdir: Path, ready=None, name: str = "celery",
                 pythonpath: Path | None = None):  # fmt: skip
        self.command = command if isinstance(command, str) else shlex.join(command)
        self.argv, self.cwd, self.env, self.ready = celery_argv(command), cwd, env, ready
        self.pythonpath = pythonpath
        self.log = logdir / f"{name}-{free_port()}.log"  # a unique suffix
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> CeleryProcess:
        return self.launch().wait_ready(timeout)

    def launch(self) -> CeleryProcess:
        """Start the process without waiting (start several, then wait for each)."""
        self.proc = spawn(self.argv, log=self.log, cwd=self.cwd, env=celery_env(self.cwd, self.env, self.pythonpath))
        return self

    def wait_ready(self, timeout: float = 30.0) -> CeleryProcess:
        if self.ready is None:
            return self

        def up() -> bool:
            return self.ready() if callable(self.ready) else self.ready in self.output()

        wait_ready(self.proc, self.log, up, what=" ".join(self.argv[2:]), timeout=timeout)
        return self

    def signal_stop(self) -> None:
        """SIGTERM without waiting (then `stop()` each: they shut down in parallel)."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc:
            stop(self.proc, timeout=10)

    def __enter__(self) -> CeleryProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False
