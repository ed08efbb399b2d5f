"""Child processes the tests start (free ports, log files, a guaranteed stop), their environment, and `eventually`,
the one way the tests wait for something."""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from .errors import ProcessExited, ServiceUnavailable

T = TypeVar("T")
_RUNNING: set[subprocess.Popen] = set()


def eventually(check: Callable[[], T], timeout: float, *, interval: float = 0.1, what: str = "") -> T:
    """Call `check()` until it passes; return what it returned.

    It passes when it raises nothing and returns None (an assert-style check) or a truthy value (a
    predicate, or what was waited for: `eventually(lambda: bugsink.all_events(p), 10)`). It runs at
    least once, even with `timeout=0`. When time is up the last failure is raised again as it was, so
    an AssertionError keeps pytest's rewritten message with its values; a check that only returned
    something falsy raises AssertionError naming `what`. ServiceUnavailable and ProcessExited end the
    wait at once: nothing will come from a dead process.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (ServiceUnavailable, ProcessExited):
            raise
        except Exception as exc:
            if time.monotonic() >= deadline:
                exc.add_note(f"still failing after {timeout:g} s{': ' + what if what else ''}")
                raise
        else:
            if value is None or value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"still {value!r} after {timeout:g} s: {what or check}")
        time.sleep(interval)


# Servers get ports below the kernel's ephemeral range (32768-60999 by default): a port the kernel picks for
# bind(0) is also a source port it hands to outgoing connections, and one of those took a killed node's port
# before the node came back (eaddrinuse on restart, a CI failure).
PORTS = (10000, 32000)


def _free(*ports: int) -> bool:
    try:
        with contextlib.ExitStack() as stack:
            for port in ports:
                stack.enter_context(socket.socket()).bind(("", port))  # all interfaces, as the servers listen
    except OSError:
        return False
    return True


def _free_ports(*offsets: int) -> int:
    """A random port P in PORTS with P + each offset free too."""
    for _ in range(200):
        port = random.randint(PORTS[0], PORTS[1] - max(offsets))
        if _free(*(port + offset for offset in offsets)):
            return port
    raise RuntimeError(f"no free port P in {PORTS} with P + {offsets} free")


def free_port() -> int:
    return _free_ports(0)


def free_port_pair(offset: int = 10000) -> int:
    """A free port P whose companion P + offset is free too (a Redis cluster node's bus port)."""
    return _free_ports(0, offset)


def child_env(cwd: Path, env: dict, pythonpath: Path | None = None) -> dict:
    """The environment of a child the tests start: ours, plus `env`, with `pythonpath` (default: the child's
    folder, where its app module is) in front of any PYTHONPATH `env` sets (e.g. a claim's variant modules)."""
    path = [str(pythonpath or cwd), env.get("PYTHONPATH", "")]
    return {**os.environ, **env, "PYTHONPATH": os.pathsep.join(p for p in path if p)}


def spawn(args: list[str], *, log: Path, cwd: Path | None = None, env: dict | None = None) -> subprocess.Popen:
    """Start `args` in its own process group, output to `log`; it is killed at interpreter exit at the latest."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    _RUNNING.add(proc)
    return proc


def stop(proc: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
    """Send `sig` to the process group, wait, then SIGKILL whatever is left. Returns the exit code."""
    if proc.poll() is None:
        signal_group(proc, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            signal_group(proc, signal.SIGKILL)
            proc.wait(5)
    signal_group(proc, signal.SIGKILL)  # leftovers in the group (e.g. pool children)
    _RUNNING.discard(proc)
    return proc.returncode


def stop_all(procs: Iterable[subprocess.Popen], *, timeout: float = 10.0) -> None:
    """Stop several at once: SIGTERM to all first (a Celery warm shutdown takes ~2 s each), then wait for each."""
    procs = [p for p in procs if p is not None]
    for proc in procs:
        if proc.poll() is None:
            signal_group(proc, signal.SIGTERM)
    for proc in procs:
        stop(proc, timeout=timeout)


def signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def wait_ready(proc: subprocess.Popen, log: Path, ready: Callable[[], bool], *, what: str, timeout: float) -> None:
    """Poll `ready()` until it is true. If the process exits first, or time runs out, stop it and raise
    with the tail of its log (at once on exit: no waiting out the timeout for a dead process)."""

    def check() -> bool:
        if proc.poll() is not None:
            raise ProcessExited(f"{what} exited with code {proc.returncode}:\n{tail(log)}")
        return ready()

    try:
        eventually(check, timeout, what=what)
    except ProcessExited:
        stop(proc)
        raise
    except Exception as exc:
        stop(proc)
        raise RuntimeError(f"timed out after {timeout:g} s waiting for {what} ({exc})\n{tail(log)}") from None


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def child_pids(pid: int) -> list[int]:
    """Processes whose parent is `pid` (e.g. the prefork pool of a Celery worker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@atexit.register
def _kill_leftovers() -> None:
    for proc in list(_RUNNING):
        stop(proc, sig=signal.SIGKILL, timeout=5)
