"""A page's steps in the order its reader meets them, and the long-running processes those steps start.

A reader follows a Celery page in one terminal session per process, on one broker: the default vhost,
one Redis, every worker started earlier still running in its own terminal. `steps(page)` lists what
the page asks them to do, top to bottom:

- `run`: a snippet with `#>` lines (they run it and compare what it prints);
- `start`: a long-running command of a console block (`celery -A m worker|beat|flower`, `uvicorn m:app`);
  the reader opens a terminal for it and leaves it running;
- `skip`: any other console command (one-shot `celery inspect ...`; the cheatsheet is
  tests/claims/test_celery_commands.py's).

A page's walk ends at a `## Cheatsheet` heading: a reference list, not steps.

`Walk` starts the `start` steps as the page shows them (with the usual test-only changes of
`celery_cli.as_tested`) in one shared environment, and stops them all at the end.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from .asgi_app import UvicornApp
from .celery_cli import CeleryProcess, beat, flower
from .celery_worker import CeleryWorker
from .paths import DOCS, SNIPPETS
from .procs import stop_all
from .snippets import expected_output

INCLUDE = re.compile(r'^\s*--8<-- "([^"]+\.py)"')
LONG_RUNNING = re.compile(r"^celery -A \S+ (worker|beat|flower)\b|^uvicorn ")


@dataclass(frozen=True)
class Step:
    kind: str  # "run" | "start" | "skip"
    what: str  # a snippet id (celery/x.py) or a console command
    folder: str = ""  # `start`: the folder of the module it names, as the page last showed it ("" if not shown)

    def __str__(self) -> str:
        return f"{self.kind} {self.what}"


def steps(page: str) -> list[Step]:
    """`page` ("celery/retries.md"): its snippets and console commands, in page order."""
    found: list[Step] = []
    shown: list[str] = []  # the snippets included so far
    in_console = False
    for line in (DOCS / page).read_text().splitlines():
        stripped = line.strip()
        if line.startswith("## Cheatsheet"):
            break
        if stripped.startswith("```"):
            in_console = not in_console and stripped.startswith("```console")
            continue
        if in_console and stripped.startswith("$ "):
            command = stripped[2:]
            if LONG_RUNNING.match(command):
                found.append(Step("start", command, _shown_folder(command, shown)))
            else:
                found.append(Step("skip", command))
        elif match := INCLUDE.match(line):
            rel = match.group(1)
            shown.append(rel)
            if expected_output(rel):
                found.append(Step("run", rel))
    return found


def _module(command: str) -> str:
    words = shlex.split(command)
    target = words[2] if words[0] == "celery" else words[1]
    return target.split(":")[0].split(".")[0]


def _shown_folder(command: str, shown: list[str]) -> str:
    """"Start a worker from the folder that holds `tasks.py`": the one of the last `tasks.py` the page showed.

    Two tabs (first_app/rabbitmq and first_app/redis) may show a module of the same name.
    """
    module = _module(command)
    for rel in reversed(shown):
        path = Path(rel)
        if path.name == f"{module}.py" or path.parent.name == module:
            return str(path.parent.parent if path.parent.name == module else path.parent)
    return ""


def app_folder(command: str, near: Path) -> Path:
    """Where the reader runs `command`: the folder (at or below `near`) holding the module `-A` or uvicorn names."""
    module = _module(command)
    for candidate in [near, *sorted(p for p in near.rglob("*") if p.is_dir() and "__pycache__" not in p.parts)]:
        if (candidate / f"{module}.py").is_file() or (candidate / module / "__init__.py").is_file():
            return candidate
    raise AssertionError(f"no module {module!r} for {command!r} under {near}")


class Walk:
    """The processes a page's `start` steps leave running, in one shared `env` (a reader's shell)."""

    def __init__(self, env: dict, logdir: Path, folder: Path = SNIPPETS / "celery"):
        self.env, self.logdir, self.folder = env, logdir, folder
        self.running: list[CeleryProcess | UvicornApp] = []

    def start(self, command: str, folder: str = "") -> None:
        """`folder` (a snippet folder, "celery/first_app/redis"): where the page showed the module, if it did."""
        cwd = SNIPPETS / folder if folder else app_folder(command, self.folder)
        kind = shlex.split(command)[3] if command.startswith("celery") else "uvicorn"
        if kind == "worker":
            process = CeleryWorker(command, cwd=cwd, env=self.env, logdir=self.logdir)
            self.running.append(process)
            process.start(timeout=90)
        elif kind == "beat":
            process = beat(command, folder=cwd, rundir=self.logdir / f"beat-{len(self.running)}", env=self.env,
                           logdir=self.logdir)
            self.running.append(process)
            process.start(timeout=60)
        elif kind == "flower":
            process = flower(command, folder=cwd, env=self.env, logdir=self.logdir)
            self.running.append(process)
            process.start(timeout=60)
            self.env["FLOWER_URL"] = process.url
        else:
            target = shlex.split(command)[1]
            app = UvicornApp(target, cwd=cwd, env=dict(self.env), logdir=self.logdir)
            self.running.append(app)
            app.start(timeout=60)
            self.env["APP_URL"] = app.url

    def logs(self) -> str:
        tails = []
        for process in self.running:
            text = process.log.read_text(errors="replace") if process.log.exists() else ""
            tails.append(f"--- {process.log.name}:\n{text[-2500:]}")
        return "\n".join(tails)

    def stop(self) -> None:
        """All at once, newest first (a Celery warm shutdown takes ~2 s each)."""
        stop_all(process.proc for process in reversed(self.running))
        self.running.clear()
