"""Every redis-cli transcript on the Redis pages is replayed on each Redis build; the output must match.

A transcript (`snippets/redis/cli/*.txt`, `snippets/redis/errors/*.txt`) is what a reader would type
at a shell (`$ redis-cli ...`) followed by what the terminal shows. The test runs each command with
`--no-raw` (the formatting redis-cli uses in a terminal) on a private server whose port stands in for
the documented one, and compares every output line. A line `  ...` in the expected output stands for
any number of lines (used for Python tracebacks).

Each `snippets/redis/cli/` transcript is replayed on every Redis build (services/generations.py: Redis 8.0,
Valkey 8.1, Redis 7.0), each with its own server and its own CLI (`valkey-cli` for Valkey: Debian 13's
valkey-tools installs no `redis-cli`, and Debian 13 has no redis-compat package). Like the troubleshooting
page's texts (services/redis_errors.py): `<name>.txt` shows Redis 8.0's output (the reader's default build),
and every build without a file of its own must print exactly that; a build that prints something else has
`<name>.<build>.txt` (e.g. `dangerous_commands.redis-7.0.txt`), which writes the CLI as that build's reader
types it. The page shows a transcript as `results.by_build()` renders its builds' files: one block and the line
"Measured on ...: the same on each." when all builds share the file, else a content tab per build, labelled
"Redis 8.0", "Valkey 8.1", "Redis 7.0" as on every other page (Material's linked tabs need the same labels).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from textwrap import indent

import pytest
from services import results
from services.generations import REDIS_BUILDS, SNIPPET_REDIS, Build
from services.paths import DOCS, ROOT, SNIPPETS
from services.redis_server import RedisServer
from services.sitebuild import SNIPPET_REF, snippet_refs
from services.transcripts import PortMap, Step, console_file

pytestmark = pytest.mark.page("redis/data-types.md", "redis/index.md", "redis/memory-scaling.md", "redis/mistakes.md",
                              "redis/security.md")

REDIS_SNIPPETS = SNIPPETS / "redis"
SHOWN_CLI = "redis-cli"  # how a transcript shared by the builds writes the CLI
# the transcripts, one per page block: `<name>.txt` (a build's own `<name>.<build>.txt` is not one)
CLI = sorted(p.relative_to(REDIS_SNIPPETS).as_posix() for p in (REDIS_SNIPPETS / "cli").glob("*.txt")
             if "." not in p.stem) + ["errors/redis_down.txt"]  # fmt: skip (redis_down: 6399 maps to a closed port)
# each transcript's cases name the pages that show it: `--page` runs the page's own (conftest.py `_only_pages`)
CASES = [pytest.param(rel, id=rel, marks=pytest.mark.page(*snippet_refs()[f"redis/{rel}"])) for rel in CLI]
NEEDS = {"cli/cluster.txt": "cluster"}  # transcripts that need a special server (fixtures/redis.py redis_special)
BY_BUILD = pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)


def own_file(rel: str, build: Build) -> Path:
    """Where `build`'s own text of transcript `rel` goes: cli/strings.txt -> cli/strings.<build>.txt."""
    return REDIS_SNIPPETS / rel.replace(".txt", f".{build.name}.txt")


def file_of(rel: str, build: Build) -> Path:
    """The transcript that `build` must print: its own file if it has one, else the shared (Redis 8.0's) one."""
    own = own_file(rel, build)
    return own if own.exists() else REDIS_SNIPPETS / rel


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory):
    """`cli_server(build)`: a private server of that build for the plain transcripts, started on first use (a CI
    shard runs only its generation's builds)."""
    with ExitStack() as stack:
        started: dict[str, RedisServer] = {}

        def get(build: Build) -> RedisServer:
            if build.name not in started:
                folder = tmp_path_factory.mktemp(f"cli-{build.name}")
                server = RedisServer(folder, name=f"redis-cli-transcripts-{build.name}", build=build)
                started[build.name] = stack.enter_context(server)
            return started[build.name]

        yield get


def lines_match(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(lines_match(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and lines_match(expected[1:], actual[1:])


def run_step(step: Step, ports: PortMap, env: dict[str, str] | None = None, build: Build | None = None) -> list[str]:
    """Run one `$` line; `redis-cli` (or `build`'s own CLI name) is the host's (Redis 7.0), or `build`'s own CLI
    when given."""
    argv = ports.argv(step.argv)
    extra_env = {}
    while argv and "=" in argv[0] and argv[0].split("=")[0].isidentifier():  # VAR=value command
        key, value = argv.pop(0).split("=", 1)
        extra_env[key] = value
    if argv[0] in (SHOWN_CLI, build.cli if build else SHOWN_CLI):
        argv = [SHOWN_CLI, "--no-raw", *argv[1:]]
        if "-p" not in argv:
            argv[2:2] = ["-p", str(ports.real(6379))]
        if build is not None:
            argv = build.cli_argv(*argv[1:])
    elif argv[0] == "python":
        argv[0] = sys.executable
    result = subprocess.run(
        argv, cwd=ROOT, env={**os.environ, **(env or {}), **extra_env}, capture_output=True, text=True, timeout=30
    )
    return ports.to_documented(result.stdout + result.stderr).splitlines()


def counted_down(step: Step, actual: list[str]) -> bool:
    """A `TTL` line may show up to 2 s less than the page: time passes between the commands (TTL rounds to whole
    seconds, so one slow CLI start between `SET ... EX 30` and `TTL` already gives 29)."""
    if [a.upper() for a in step.argv[-2:-1]] != ["TTL"] or len(step.output) != 1 or len(actual) != 1:
        return False
    shown, got = (re.fullmatch(r"\(integer\) (\d+)", line) for line in (step.output[0], actual[0]))
    return bool(shown and got) and 0 <= int(shown[1]) - int(got[1]) <= 2


def replay(steps: list[Step], ports: PortMap, build: Build | None = None) -> None:
    for step in steps:
        actual = run_step(step, ports, build=build)
        assert lines_match(step.output, actual) or counted_down(step, actual), (
            f"$ {step.command}\nexpected:\n" + "\n".join(step.output) + "\nactual:\n" + "\n".join(actual)
        )


@pytest.mark.snippet_runs
@pytest.mark.parametrize("rel", CASES)
@BY_BUILD
def test_cli_transcript(rel, build, cli_server, redis_special):
    """The transcript `build` must print (its own file, else the shared one), replayed with its server and CLI."""
    if rel in NEEDS:  # the page's special server, started from its transcript with the build's binaries
        ports = redis_special(NEEDS[rel], build).ports
    else:
        server = cli_server(build)
        server.client().flushall()  # private server
        ports = PortMap({6379: server.port})
    expected = file_of(rel, build)
    try:
        replay(console_file(expected), ports, build)
    except AssertionError as exc:
        where = f"{own_file(rel, build).name} (and show it in {build.label}'s tab)"
        hint = f"{build.label} no longer prints {expected.name}: if that is its new output, write it to {where}"
        raise AssertionError(f"{hint}\n{exc}") from None


def as_shared(text: str, build: Build) -> str:
    """A build's own transcript with its CLI written as the shared files write it (`valkey-cli` -> `redis-cli`)."""
    return re.sub(rf"(?<![\w-]){re.escape(build.cli)}(?![\w-])", SHOWN_CLI, text)


def test_a_builds_own_transcript_differs_from_the_shared_one():
    """An own file says something else than the shared one (not only the CLI's name), and names a known build."""
    names = {b.name for b in REDIS_BUILDS} - {SNIPPET_REDIS.name}  # Redis 8.0's text is the shared file
    for path in [*(REDIS_SNIPPETS / "cli").glob("*.*.txt"), *(REDIS_SNIPPETS / "errors").glob("redis_down.*.txt")]:
        stem, name = path.name.removesuffix(".txt").split(".", 1)
        rel = f"{path.parent.name}/{stem}.txt"
        assert name in names and rel in CLI, f"{path.name}: no transcript {rel} or no build {name}"
        build = next(b for b in REDIS_BUILDS if b.name == name)
        shared = (path.parent / f"{stem}.txt").read_text()
        assert as_shared(path.read_text(), build) != shared, f"{path.name} shows the shared text: delete it"


def shown(rel: str) -> str:
    """How a page shows transcript `rel`: `results.by_build()` of the code blocks that include each build's file."""

    def block(path: Path) -> str:
        ref = path.relative_to(SNIPPETS).as_posix()
        return f'```console title="snippets/{ref}"\n--8<-- "{ref}"\n```\n'

    return results.by_build({build: block(file_of(rel, build)) for build in REDIS_BUILDS})


def test_each_page_shows_every_builds_transcript():
    """Every page block of a transcript is what `shown()` renders (at the block's indent): the measured-the-same
    line under a shared one, a tab per build where one build prints something else."""
    for rel in CLI:
        files = {file_of(rel, b).relative_to(SNIPPETS).as_posix() for b in REDIS_BUILDS}
        pages = [p for p in sorted(DOCS.rglob("*.md")) if f"redis/{rel}" in SNIPPET_REF.findall(p.read_text())]
        assert pages, f"no page shows {rel}"
        for page in pages:
            text = page.read_text()
            refs = set(SNIPPET_REF.findall(text))
            assert files <= refs, f"{page.name} does not include {sorted(files - refs)}"
            include = re.search(rf'^( *)--8<-- "redis/{re.escape(rel)}"', text, re.M)  # Redis 8.0's: the first
            assert include, f"{page.name} includes {rel} only as a ref in a line with other text"
            tabs = shown(rel).startswith("=== ")
            expected = indent(shown(rel), include.group(1)[: -4 if tabs else None])
            assert expected in text, f"{page.relative_to(DOCS)} must show {rel} as:\n{expected}"


def test_transcripts_are_shell_commands():
    """A reader can paste every `$` line into a shell: it parses, and starts with a program they have (a build's
    own transcript: that build's CLI)."""
    for path in [*(REDIS_SNIPPETS / "cli").glob("*.txt"), *(REDIS_SNIPPETS / "errors").glob("*.txt")]:
        name = path.name.removesuffix(".txt").partition(".")[2]
        cli = next((b.cli for b in REDIS_BUILDS if b.name == name), SHOWN_CLI)
        for step in console_file(path):
            argv = shlex.split(step.command)
            program = next(a for a in argv if "=" not in a)
            assert program in (cli, "python"), (path.name, step.command)


def test_a_ttl_may_count_down_two_seconds_and_no_more():
    step = Step("redis-cli TTL job:42:owner", ["(integer) 30"])
    assert [counted_down(step, [f"(integer) {n}"]) for n in (31, 30, 29, 28, 27)] == [False, True, True, True, False]
    assert not counted_down(Step("redis-cli GET job:42:ttl", ["(integer) 30"]), ["(integer) 29"])
