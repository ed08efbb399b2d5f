"""Child processes the tests start: free ports, log files, and a guaranteed stop."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from .errors import ProcessExited, wait_until

_RUNNING: set[subprocess.Popen] = set()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args: list[str], *, log: Path, cwd: Path | None = None, env: dict | None = None) -> subprocess.Popen:
    """Start `args` in its own process group, output to `log`; it is killed at interpreter exit at the latest."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    _RUNNING.add(proc)
    return proc


def stop(proc: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
    """Send `sig` to the process group, wait, then SIGKILL whatever is left. Returns the exit code."""
    if proc.poll() is None:
        _signal_group(proc, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(5)
    _signal_group(proc, signal.SIGKILL)  # leftovers in the group (e.g. pool children)
    _RUNNING.discard(proc)
    return proc.returncode


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_ready(proc: subprocess.Popen, log: Path, ready: Callable[[], bool], *, what: str, timeout: float) -> None:
    """Poll `ready()` until it is true. If the process exits first, or time runs out, stop it and raise
    with the tail of its log (at once on exit: no waiting out the timeout for a dead process)."""

    def check() -> bool:
        if proc.poll() is not None:
            raise ProcessExited(f"{what} exited with code {proc.returncode}:\n{tail(log)}")
        return ready()

    try:
        wait_until(check, timeout=timeout, interval=0.1, what=what)
    except TimeoutError as exc:
        stop(proc)
        raise RuntimeError(f"{exc}\n{tail(log)}") from None
    except ProcessExited:
        stop(proc)
        raise


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@atexit.register
def _kill_leftovers() -> None:
    for proc in list(_RUNNING):
        stop(proc, sig=signal.SIGKILL, timeout=5)
