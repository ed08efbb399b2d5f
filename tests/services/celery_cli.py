"""The `celery` command line, as a page shows it and as the tests run it.

Every Celery process the tests start (worker, beat, events, Flower) comes from a command a page
shows: a tasks module's docstring (the page includes the whole file) or a page's console block.
`as_tested` applies the test-only changes, all of them, in one place (as tests/fixtures/redis.py does
for Redis servers); `CeleryProcess` runs the result with the app's folder on PYTHONPATH and always
stops it; `run_celery` runs one-shot commands (inspect, control, call, ...).
"""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

from .procs import child_env, free_port, signal_group, spawn, stop, wait_ready

# Long names of the options the tests look at or change; the pages may use either spelling.
ALIASES = {"-A": "--app", "-P": "--pool", "-c": "--concurrency", "-n": "--hostname", "-Q": "--queues",
           "-E": "--task-events"}
FLAGS = {"--task-events", "--without-gossip", "--without-mingle", "--without-heartbeat", "--beat", "--dump"}
STARTUP = ("--without-gossip", "--without-mingle")


def module_commands(module: Path, kind: str = "worker") -> list[str]:
    """The `celery -A <app> <kind> ...` commands of a module's docstring (backslash continuations joined)."""
    text = re.sub(r"\\\n\s*", "", module.read_text())
    return [line.strip() for line in text.splitlines() if re.match(rf"\s*celery -A \S+ {kind}\b", line)]


def as_tested(command: str, *, port: int | None = None, **changes: str) -> list[str]:
    """The argv (`celery ...`) that runs `command`, with the test-only changes and nothing else:

    - worker: `-n <app>-<random>@%h` unless the page names the node (workers of one app from several
      tests run side by side, and each must have its own name);
    - worker: `--without-gossip --without-mingle` (a worker in a vhost of its own has no peers to
      sync with; saves ~2 s of start-up each);
    - worker: `--concurrency 2` unless the page sets one (the default, one per CPU, varies by machine);
    - flower: the documented `--port` becomes `port`, a free one.

    A claim may make its own deliberate change on top (a variant module as `app`, another `pool`,
    `concurrency`), named in the call: `as_tested(cmd, app="early_ack", pool="prefork")`.
    """
    words = shlex.split(command)
    assert words[0] == "celery" and words[1] in ("-A", "--app"), command
    kind, options, joined = words[3], *_options(words[4:])
    app = changes.pop("app", words[2])
    if kind == "worker":
        node = re.sub(r"[^\w-]", "_", app)
        options.setdefault("--hostname", f"{node}-{uuid.uuid4().hex[:6]}@%h")
        options.setdefault("--concurrency", "2")
        options.update(dict.fromkeys(STARTUP))
    if kind == "flower":
        assert "--port" in options and port, "Flower runs on a free port"
        options["--port"] = str(port)
    options.update({f"--{name}": str(value) for name, value in changes.items()})
    args = []
    for name, value in options.items():
        if value is None:
            args.append(name)
        else:  # `--port=5555` stays in that form: Flower's (tornado's) options need it
            args += [f"{name}={value}"] if name in joined else [name, value]
    return ["celery", "-A", app, kind, *args]


def _options(words: list[str]) -> tuple[dict[str, str | None], set[str]]:
    """{long option name: value (None for a flag)} and the names written as `--name=value`."""
    options: dict[str, str | None] = {}
    joined: set[str] = set()
    i = 0
    while i < len(words):
        name, equals, value = words[i].partition("=")
        name = ALIASES.get(name, name)
        if equals:
            options[name] = value
            joined.add(name)
            i += 1
        elif name in FLAGS or not name.startswith("-"):
            options[name] = None
            i += 1
        else:
            options[name] = words[i + 1]
            i += 2
    return options, joined


def celery_argv(command: str | list[str]) -> list[str]:
    """`celery -A x inspect ping` (as a reader types it) -> argv that runs the venv's celery."""
    args = shlex.split(command) if isinstance(command, str) else list(command)
    if args and args[0] == "celery":
        args = args[1:]
    return [sys.executable, "-m", "celery", *args]


def run_celery(command: str | list[str], *, cwd: Path, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a one-shot `celery ...` command to completion; output is stdout+stderr text."""
    return subprocess.run(
        celery_argv(command), cwd=cwd, env=child_env(cwd, env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True, timeout=timeout,
    )


class CeleryProcess:
    """A long-running `celery ...` command (worker, beat, flower, events --dump) with its output in a log file.

    `argv` is what runs (usually `as_tested(<the page's command>)`); `ready` is a text the log shows
    once the process is up (or a callable); `stop()` always ends it. `pythonpath` (default: `cwd`) is
    where the app module is, so beat can keep its schedule file in a temp dir (its cwd).
    """

    def __init__(self, argv: str | list[str], *, cwd: Path, env: dict, logdir: Path, ready=None, name: str = "celery",
                 pythonpath: Path | None = None, url: str | None = None):
        self.url = url  # where it answers HTTP, if it does (Flower)
        self.command = argv if isinstance(argv, str) else shlex.join(argv)
        self.argv, self.cwd, self.env, self.ready = celery_argv(argv), cwd, env, ready
        self.pythonpath = pythonpath
        self.log = logdir / f"{name}-{free_port()}.log"  # a unique suffix
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0):
        return self.launch().wait_ready(timeout)

    def launch(self):
        """Start the process without waiting (start several, then wait for each)."""
        self.proc = spawn(self.argv, log=self.log, cwd=self.cwd, env=child_env(self.cwd, self.env, self.pythonpath))
        return self

    def wait_ready(self, timeout: float = 30.0):
        if self.ready is None:
            return self

        def up() -> bool:
            return self.ready() if callable(self.ready) else self.ready in self.output()

        wait_ready(self.proc, self.log, up, what=" ".join(self.argv[2:]), timeout=timeout)
        return self

    def signal_stop(self) -> None:
        """SIGTERM without waiting (then `stop()` each: they shut down in parallel)."""
        if self.proc and self.proc.poll() is None:
            signal_group(self.proc, signal.SIGTERM)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc:
            stop(self.proc, timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def beat(command: str, *, folder: Path, rundir: Path, env: dict, logdir: Path) -> CeleryProcess:
    """`celery -A <app> beat` as the page shows it, importing the app from `folder` but running in `rundir`,
    a temp dir of its own: beat writes its schedule file (celerybeat-schedule) to its working directory."""
    rundir.mkdir(parents=True, exist_ok=True)
    return CeleryProcess(as_tested(command), cwd=rundir, pythonpath=folder, env=env, logdir=logdir,
                         ready="beat: Starting...", name="beat")


def flower(command: str, *, folder: Path, env: dict, logdir: Path) -> CeleryProcess:
    """Flower as the page shows it, on a free port (its URL: `process.url`)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    return CeleryProcess(as_tested(command, port=port), cwd=folder, env=env, logdir=logdir, url=url,
                         ready=lambda: http_answers(f"{url}/healthcheck"), name="flower")


def http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False
