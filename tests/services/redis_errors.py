"""The exact error texts of docs/redis/troubleshooting.md: which files each row shows, and how a test produces them.

A row shows what redis-py raises (snippets/redis/errors/py/<row>.txt: the last line of the traceback, as
Python prints it) and, where people search for the server's own words, what the CLI prints
(errors/cli/<row>.txt: the command and its output) or what the server logs (errors/log/<row>.txt).
The tests (tests/claims/test_redis_troubleshooting*.py) trigger every error on private servers of each
Redis build (services/generations.py), ports written as the documented ones.

Per build, like the RabbitMQ page's texts (fixtures/rabbitmq_builds.py `rabbitmq_error`): `<row>.txt` is
Redis 8.0's text, and every build not named for that file in PER_BUILD must produce exactly the same; a
build named there has its own file, `<row>.<build>.txt` (e.g. `denied-protected-mode.valkey-8.1.txt`),
which the page shows in a tab of the row, so a search for that build's words finds the row too. A CLI
text shows the command as the build runs it (`valkey-cli` on Valkey); in a file shared with Redis it is
written `redis-cli`, the only difference allowed.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import traceback
from pathlib import Path

from .generations import REDIS_8_0, REDIS_BUILDS, Build
from .paths import DOCS, SNIPPETS
from .sitebuild import SNIPPET_REF
from .transcripts import PortMap

ERRORS = SNIPPETS / "redis" / "errors"
PAGE = DOCS / "redis" / "troubleshooting.md"
KINDS = ("py", "cli", "log")
SHOWN_CLI = "redis-cli"  # how a file shared by the builds writes the CLI
BASE = REDIS_8_0  # the build whose texts are `<row>.txt`

# row (its anchor and file name) -> the texts it shows: py = redis-py, cli = the CLI, log = server log
ROWS: dict[str, tuple[str, ...]] = {
    "repr": ("py",),  # the page's opening advice, not a row
    "connection-refused": ("py", "cli"),
    "name-or-service-not-known": ("py", "cli"),
    "timeout-reading-from-socket": ("py",),
    "connection-reset-by-peer": ("py", "cli"),
    "connection-closed-by-server": ("py", "log"),
    "certificate-verify-failed": ("py",),
    "max-number-of-clients-reached": ("py", "cli"),
    "too-many-connections": ("py",),
    "noauth-authentication-required": ("py", "cli"),
    "wrongpass-invalid-username-password-pair": ("py", "cli"),
    "noperm-no-permissions": ("py", "cli"),
    "denied-protected-mode": ("py", "cli"),
    "oom-command-not-allowed": ("py", "cli"),
    "misconf-unable-to-persist": ("py", "cli", "log"),
    "loading-dataset-in-memory": ("py", "cli"),
    "readonly-replica": ("py", "cli"),
    "wrongtype": ("py", "cli"),
    "invalid-input-of-type": ("py",),
    "unicodedecodeerror": ("py",),
    "unknown-command": ("py", "cli"),
    "execabort": ("py", "cli"),
    "lock-not-owned": ("py",),
    "moved": ("py", "cli"),
    "crossslot": ("py", "cli"),
}
# "<kind>/<row>" -> the builds whose text differs from Redis 8.0's there (each has its own file). Measured:
# Valkey 8.1 says "Valkey" where Redis says "Redis" (the CLI's "Could not connect", LOADING, MISCONF) and rewords
# DENIED; Redis 7.0 writes "Setup a an authentication password" in DENIED, words NOPERM without the user name and
# the HELLO error without `<proto>`; the log line of a dropped client lists other fields on each of the three.
VALKEY, REDIS_7 = "valkey-8.1", "redis-7.0"
PER_BUILD: dict[str, set[str]] = {
    "cli/connection-refused": {VALKEY},
    "cli/name-or-service-not-known": {VALKEY},
    "log/connection-closed-by-server": {VALKEY, REDIS_7},
    "py/noauth-authentication-required": {REDIS_7},
    "py/noperm-no-permissions": {REDIS_7},
    "cli/noperm-no-permissions": {REDIS_7},
    "py/denied-protected-mode": {VALKEY, REDIS_7},
    "cli/denied-protected-mode": {VALKEY, REDIS_7},
    "py/misconf-unable-to-persist": {VALKEY},
    "cli/misconf-unable-to-persist": {VALKEY},
    "py/loading-dataset-in-memory": {VALKEY},
    "cli/loading-dataset-in-memory": {VALKEY},
}
NUMBERS = r"\d+"


def path_of(row: str, kind: str, build: Build) -> Path:
    """The file that shows `build`'s `kind` text of `row`."""
    own = build.name in PER_BUILD.get(f"{kind}/{row}", set())
    return ERRORS / kind / (f"{row}.{build.name}.txt" if own else f"{row}.txt")


def produced() -> set[str]:
    """Every file the tests write, as the page includes it ("redis/errors/py/moved.txt")."""
    return {
        path_of(row, kind, build).relative_to(SNIPPETS).as_posix()
        for row, kinds in ROWS.items() for kind in kinds for build in REDIS_BUILDS
    }  # fmt: skip


def as_filed(text: str, kind: str, path: Path, build: Build) -> str:
    """The text as `path` shows it: a shared CLI file writes the build's CLI as `redis-cli`."""
    text = text.rstrip("\n") + "\n"
    if kind == "cli" and build.cli != SHOWN_CLI and not path.name.endswith(f".{build.name}.txt"):
        first, _, rest = text.partition("\n")
        text = re.sub(rf"(?<![\w-]){re.escape(build.cli)}(?![\w-])", SHOWN_CLI, first, count=1) + "\n" + rest
    return text


def same_apart_from(vary: tuple[str, ...], text: str) -> str:
    for pattern in vary:
        text = re.sub(pattern, "<varies>", text)
    return text


# -- producing the texts ---------------------------------------------------------------------------


def traceback_outline(exc: BaseException) -> str:
    """What Python prints for `exc` (with its chained exceptions), each run of stack frames shown as `  ...`."""
    lines: list[str] = []
    for line in "".join(traceback.format_exception(exc)).splitlines():
        if line.startswith("  "):
            if lines[-1] != "  ...":
                lines.append("  ...")
        else:
            lines.append(line)
    return "\n".join(lines)


def raised(call, *, label: str | None = None) -> str:
    """The last line of the traceback `call()` ends with (Python's own format), optionally under a `# label` line."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - whatever it raises is the text we show
        line = traceback.format_exception_only(exc)[-1].rstrip("\n")
        return f"# {label}\n{line}" if label else line
    raise AssertionError(f"no error from {call}")


def cli(build: Build, port: int, *args: str, documented: int = 6379, host: str = "127.0.0.1",
        shown_host: str | None = None, env: dict[str, str] | None = None, stdin: str | None = None) -> str:  # fmt: skip
    """Run the build's CLI as a terminal shows it (`--no-raw`); return `$ command` plus its output, ports as
    documented."""
    argv, run_env = build.command(build.cli, "--no-raw", "-h", host, "-p", str(port), *args, env=env)
    result = subprocess.run(  # stderr into stdout: the order a terminal shows them in
        argv, env=run_env, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30
    )
    shown = [build.cli, *(["-h", shown_host] if shown_host else [])]
    shown += ["-p", str(documented)] if documented != 6379 else []
    command = shlex.join([*shown, *args])
    if env:
        command = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + command
    if stdin is not None:
        command = f"printf {shlex.quote(stdin.replace(chr(10), chr(92) + 'n'))} | {command}"
    output = PortMap({documented: port}).to_documented(result.stdout)
    return f"$ {command}\n{output}"


def documented(text: str, real: int, port: int = 6379) -> str:
    return PortMap({port: real}).to_documented(text)


def log_lines(server, marker: str) -> str:
    """The server log lines containing `marker`, without the `pid:role date time` prefix."""
    lines = [line for line in server.log.read_text().splitlines() if marker in line]
    assert lines, f"no {marker!r} in {server.log}"
    return "\n".join(re.sub(r"^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ ", "", line) for line in lines)


def non_loopback_ipv4() -> str:
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    ip = next((a for a in out if "." in a and not a.startswith("127.")), None)
    assert ip, "this row needs a non-loopback IPv4 address to connect from (`hostname -I` shows none)"
    return ip


# -- the page --------------------------------------------------------------------------------------

TAB = re.compile(r'^=== "([^"]+)"')


def page_rows(page: Path = PAGE) -> dict[str, tuple[str, list[tuple[str, str | None]]]]:
    """{anchor: (heading, [(included error file, the label of the content tab it is in, or None)])} for every
    `### ... {#anchor}` row of the page."""
    rows = {}
    for section in re.split(r"\n(?=#{2,3} )", page.read_text()):
        heading = section.splitlines()[0]
        anchor = re.search(r"\{#([\w-]+)\}", heading)
        includes, tab = [], None
        for line in section.splitlines():
            if found := TAB.match(line):
                tab = found.group(1)
            elif line.strip() and not line.startswith((" ", "\t")):
                tab = None  # anything not indented ends the tab set
            for ref in SNIPPET_REF.findall(line):
                if ref.startswith("redis/errors/"):
                    includes.append((ref, tab))
        if heading.startswith("### "):
            assert anchor, f"row heading without an {{#anchor}}: {heading}"
            rows[anchor.group(1)] = (heading, includes)
        elif includes:
            rows[anchor.group(1) if anchor else heading] = (heading, includes)
    return rows


def builds_of(ref: str) -> list[Build]:
    """The builds whose text the file `ref` ("redis/errors/cli/moved.txt") shows."""
    kind, name = ref.removeprefix("redis/errors/").split("/")
    return [b for b in REDIS_BUILDS if path_of(name.split(".")[0], kind, b).name == name]
