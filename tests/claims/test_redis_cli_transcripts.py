"""Every redis-cli transcript on the Redis pages is replayed against a private server; the output must match.

A transcript (`snippets/redis/cli/*.txt`, `snippets/redis/errors/*.txt`) is what a reader would type
at a shell (`$ redis-cli ...`) followed by what the terminal shows. The test runs each command with
`--no-raw` (the formatting redis-cli uses in a terminal) on a private redis-server whose port stands
in for the documented one, and compares every output line. A line `  ...` in the expected output
stands for any number of lines (used for Python tracebacks).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest
from services.paths import ROOT, SNIPPETS
from services.procs import free_port
from services.redis_server import RedisServer
from services.transcripts import PortMap, Step, console_file

pytestmark = pytest.mark.page("redis/data-types.md", "redis/index.md", "redis/memory-scaling.md")

REDIS_SNIPPETS = SNIPPETS / "redis"

CLI = sorted(p.relative_to(REDIS_SNIPPETS).as_posix() for p in (REDIS_SNIPPETS / "cli").glob("*.txt"))
NEEDS = {"cli/cluster.txt": "redis_cluster"}  # transcripts that need a special server


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory):
    with RedisServer(tmp_path_factory.mktemp("cli"), name="redis-cli-transcripts") as server:
        yield server


def lines_match(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(lines_match(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and lines_match(expected[1:], actual[1:])


def run_step(step: Step, ports: PortMap, env: dict[str, str] | None = None) -> list[str]:
    argv = ports.argv(step.argv)
    extra_env = {}
    while argv and "=" in argv[0] and argv[0].split("=")[0].isidentifier():  # VAR=value command
        key, value = argv.pop(0).split("=", 1)
        extra_env[key] = value
    if argv[0] == "redis-cli":
        argv = ["redis-cli", "--no-raw", *argv[1:]]
        if "-p" not in argv:
            argv[2:2] = ["-p", str(ports.real(6379))]
    elif argv[0] == "python":
        argv[0] = sys.executable
    result = subprocess.run(
        argv, cwd=ROOT, env={**os.environ, **(env or {}), **extra_env}, capture_output=True, text=True, timeout=30
    )
    return ports.to_documented(result.stdout + result.stderr).splitlines()


def replay(steps: list[Step], ports: PortMap) -> None:
    for step in steps:
        actual = run_step(step, ports)
        assert lines_match(step.output, actual), (
            f"$ {step.command}\nexpected:\n" + "\n".join(step.output) + "\nactual:\n" + "\n".join(actual)
        )


@pytest.mark.parametrize("rel", CLI)
def test_cli_transcript(rel, cli_server, request):
    if rel in NEEDS:
        cluster = request.getfixturevalue(NEEDS[rel])
        ports = cluster.ports
    else:
        cli_server.client().flushall()  # private server
        ports = PortMap({6379: cli_server.port})
    replay(console_file(REDIS_SNIPPETS / rel), ports)


def test_redis_down_transcript():
    """errors/redis_down.txt: what a reader sees when nothing listens on the port (here: a closed free port)."""
    ports = PortMap({6399: free_port()})
    replay(console_file(REDIS_SNIPPETS / "errors/redis_down.txt"), ports)


def test_transcripts_are_shell_commands():
    """A reader can paste every `$` line into a shell: it parses, and starts with a program they have."""
    for path in [*(REDIS_SNIPPETS / "cli").glob("*.txt"), *(REDIS_SNIPPETS / "errors").glob("*.txt")]:
        for step in console_file(path):
            argv = shlex.split(step.command)
            program = next(a for a in argv if "=" not in a)
            assert program in ("redis-cli", "python"), (path.name, step.command)
