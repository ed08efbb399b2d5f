"""Console transcripts: what a page shows a reader typing (`$ command`) and what the terminal answered.

Tests run those very commands, with the documented ports mapped to free ones (`PortMap`), so a
transcript on a page is also the test's script: `snippets/redis/servers/*.txt` start the special Redis
servers, `snippets/redis/cli/*.txt` are replayed line by line, and the `$ celery ...` lines of the
Celery pages' console blocks start workers, beat, events and Flower.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .generations import Build
from .procs import free_port
from .redis_server import RedisServer

PROMPT = "$ "


@dataclass
class Step:
    """One `$ command` line of a console transcript and the output lines shown under it."""

    command: str
    output: list[str] = field(default_factory=list)

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.command)


def parse_console(text: str) -> list[Step]:
    """`$ command` lines (a trailing backslash continues on the next line), each followed by its output."""
    steps: list[Step] = []
    for line in text.splitlines():
        if steps and not steps[-1].output and steps[-1].command.endswith("\\"):
            steps[-1].command = steps[-1].command[:-1].rstrip() + " " + line.strip()
        elif line.startswith(PROMPT):
            steps.append(Step(line[len(PROMPT) :]))
        elif steps:
            steps[-1].output.append(line)
        elif line.strip():
            raise ValueError(f"output before the first {PROMPT!r} command: {line!r}")
    return steps


def console_file(path: Path) -> list[Step]:
    return parse_console(path.read_text())


def page_commands(page: Path, program: str) -> list[str]:
    """The `$ <program> ...` lines of a page's ```console blocks, in order (also inside tabs and admonitions)."""
    blocks = re.findall(r"```console\n(.*?)```", page.read_text(), re.S)
    lines = (line.strip() for block in blocks for line in block.splitlines())
    return [line[len(PROMPT) :] for line in lines if line.startswith(f"{PROMPT}{program} ")]


class PortMap:
    """Documented port -> real free port (allocated on first use); rewrites argv and output text."""

    def __init__(self, fixed: dict[int, int] | None = None, allocate=free_port):
        self.ports: dict[int, int] = dict(fixed or {})
        self.allocate = allocate

    def real(self, documented: int) -> int:
        if documented not in self.ports:
            self.ports[documented] = self.allocate()
        return self.ports[documented]

    def argv(self, argv: list[str]) -> list[str]:
        out = []
        for i, arg in enumerate(argv):
            prev = argv[i - 1] if i else ""
            if arg.isdigit() and (prev in ("--port", "--tls-port", "-p") or argv[i - 2 : i - 1] == ["--replicaof"]):
                arg = str(self.real(int(arg))) if int(arg) else arg
            arg = re.sub(r"(?<=:)(\d{4,5})\b", lambda m: str(self.real(int(m.group(1)))), arg)
            out.append(arg)
        return out

    def text(self, text: str) -> str:
        """Documented ports in a command line written as text (e.g. a shell loop) -> the real ones."""
        for documented, real in self.ports.items():
            text = re.sub(rf"(?<![\d.]){documented}(?!\d)", str(real), text)
        return text

    def to_documented(self, text: str) -> str:
        for documented, real in self.ports.items():
            text = re.sub(rf"(?<![\d.]){real}(?!\d)", str(documented), text)
        return text


def server_args(argv: list[str]) -> list[str]:
    """The redis-server flags of a documented command, minus what the tests control themselves: `--daemonize`
    and `--logfile` (the server stays the test's child, so it is stopped even when a test fails)."""
    assert argv[0] == "redis-server", argv
    args, skip = [], 0
    for arg in argv[1:]:
        if skip:
            skip -= 1
            continue
        if arg in ("--daemonize", "--logfile"):
            skip = 1
            continue
        args.append(arg)
    return args


def start_documented(workdir: Path, name: str, step: Step, ports: PortMap, cls=RedisServer, *,
                     build: Build | None = None, **kwargs) -> RedisServer:  # fmt: skip
    """Start the redis-server of a transcript line in its own folder of `workdir`, on the mapped port; `build`
    (services/generations.py) runs its own server binary (`valkey-server` for Valkey) with the same flags."""
    args = server_args(ports.argv(step.argv))
    port = int(args[args.index("--tls-port") + 1]) if "--tls-port" in args else int(args[args.index("--port") + 1])
    return cls(workdir, *args, port=port, name=name, build=build, **kwargs).start()


def cli_command(text: str, build: Build | None) -> str:
    """A shell command line with `redis-cli` run as `build`'s own CLI (`valkey-cli` for Valkey, a root's binary
    through its loader); unchanged without a build."""
    if build is None:
        return text
    return re.sub(r"(?<![\w-])redis-cli(?![\w-])", lambda _: shlex.join(build.cli_argv()), text)


def run_documented(
    step: Step, ports: PortMap, cwd: Path, timeout: float = 60, build: Build | None = None
) -> subprocess.CompletedProcess:
    """Run a non-server line of a transcript (openssl, redis-cli) exactly as shown, ports mapped; `redis-cli`
    as `build`'s CLI when given."""
    if step.argv[0] == "redis-cli":
        argv = ports.argv(step.argv)
        command = shlex.join(build.cli_argv(*argv[1:]) if build else argv)
    else:
        command = step.command
    result = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result
