"""Snippets as files and as processes: which there are, what they must print, and running one the way a reader does
(`python file.py` from its folder) when a test needs it outside the in-process harness."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .paths import SNIPPETS
from .procs import spawn, stop

OUTPUT_LINE = re.compile(r"^\s*#> ?")


def files() -> list[Path]:
    """Every Python snippet (what tests/test_snippets.py runs)."""
    return sorted(p for p in SNIPPETS.rglob("*.py") if "__pycache__" not in p.parts)


def included_files() -> list[Path]:
    """Every file pages may include: the snippets, console transcripts and result tables (not the lint config,
    nor caches)."""
    hidden = (".", "__pycache__")
    found = (p for p in SNIPPETS.rglob("*") if p.is_file() and p != SNIPPETS / "ruff.toml")
    return sorted(p for p in found if not any(part.startswith(hidden) for part in p.relative_to(SNIPPETS).parts))


def snippet_id(path: Path) -> str:
    """`rabbitmq/hello_send.py`: the path below snippets/, as pages include it and as test ids show it."""
    return path.relative_to(SNIPPETS).as_posix()


def expected_output(rel: str) -> list[str]:
    """The `#>` lines of a snippet: what its page shows and what a test must see."""
    lines = (SNIPPETS / rel).read_text().splitlines()
    return [OUTPUT_LINE.sub("", line) for line in lines if OUTPUT_LINE.match(line)]


@dataclass
class Finished:
    """A finished run: exit code, output, and how long it took (some claims are about time)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def ok(self) -> Finished:
        command = " ".join(self.args[1:])
        assert self.returncode == 0, f"{command} exited with {self.returncode}:\n{self.stdout}\n{self.stderr}"
        return self


def _script(script: str | Path) -> Path:
    return SNIPPETS / script if isinstance(script, str) else script


def run(script: str | Path, *args: str, env: dict | None = None, cwd: Path | None = None,
        timeout: float = 60) -> Finished:
    """Run a snippet (`"redis/x.py"`, relative to snippets/) or a program (a Path) in a fresh interpreter, from its
    folder unless `cwd` says otherwise, with our environment plus `env`."""
    path = _script(script)
    return _finished([sys.executable, str(path), *args], cwd=cwd or path.parent, env=env, timeout=timeout)


def startup_seconds(module: str) -> float:
    """How long starting this Python and importing `module` takes right now (load makes it several seconds)."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, timeout=120)
    return time.monotonic() - started


def run_beside_startups(script: str | Path, *args: str, module: str, **kwargs) -> tuple[Finished, float]:
    """`run()` while interpreters that only import `module` start one after another beside it; returns the run and
    the slowest of those starts: what the machine's load added at that time, for "returns within seconds" checks
    that must not fail only because the CPU was busy (a start measured before or after can miss a burst)."""
    done, starts = threading.Event(), []

    def probe() -> None:
        while not done.is_set():
            starts.append(startup_seconds(module))

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    try:
        result = run(script, *args, **kwargs)
    finally:
        done.set()
        prober.join()
    return result, max(starts)


def _finished(args: list[str], *, cwd: Path, env: dict | None, timeout: float) -> Finished:
    started = time.monotonic()
    env = {**os.environ, **(env or {})}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return Finished(args, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


@contextmanager
def background(script: str | Path, *args: str, env: dict | None = None, log: Path):
    """Start a snippet or program in the background (e.g. an RPC server, a consumer a claim kills), output to
    `log`; yields the Popen and stops it at the end if it still runs."""
    path = _script(script)
    proc = spawn([sys.executable, str(path), *args], log=log, cwd=path.parent, env={**os.environ, **(env or {})})
    try:
        yield proc
    finally:
        stop(proc)
