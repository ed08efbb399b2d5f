"""On a host without Debian 12's Redis 7.0 and RabbitMQ 3.10 (the GitHub runner is Ubuntu), the bookworm
root stands in for them, so the suite runs there as it does on this Debian 12 machine:

- `install_commands()`: `redis-server`, `redis-cli`, `rabbitmqctl`... on PATH, small scripts that run the
  root's programs (tests and transcripts call them by name);
- `start_shared_services()`: the shared Redis on 127.0.0.1:6379 and RabbitMQ on :5672 (HTTP API on
  :15672, through which the tests create their throwaway vhosts), as Debian's packages would run them;
  stopped when the calling process exits.

Standard library only (tests/run.py calls it before pytest).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import roots
from .generations import CHROOT_PATH, RABBITMQ_3_10, REDIS_7_0, Build, answers, ensure_epmd, processes_marked
from .procs import spawn, stop

REDIS_COMMANDS = ("redis-server", "redis-cli", "redis-benchmark", "redis-check-aof", "redis-check-rdb")
RABBITMQ_COMMANDS = ("rabbitmqctl", "rabbitmq-diagnostics", "rabbitmq-plugins", "rabbitmq-server")
SHARED_NODE = "rabbit@localhost"

_SHIM = """#!/usr/bin/env python3
# {program} of the Debian {debian} root {root} (written by tests/services/debian12_stand_in.py)
import os, sys
head, rabbitmq = {head}, {rabbitmq}
passed = [f"{{k}}={{v}}" for k, v in os.environ.items() if k.startswith(("RABBITMQ_", "ERL_"))] if rabbitmq else []
os.execvp(head[0], [*head, *passed, *([{program!r}] if rabbitmq else []), *sys.argv[1:]])
"""


def _shim(build: Build, program: str) -> str:
    if build.kind == "redis":
        head = build.argv(program)
    else:  # the chroot prefix up to the environment; the RABBITMQ_* variables and the program follow
        argv = build.argv(program)
        head = argv[: argv.index(f"PATH={CHROOT_PATH}") + 1]
    return _SHIM.format(program=program, debian=roots.SPECS[build.release]["debian"], root=build.root,
                        head=json.dumps(head), rabbitmq=build.kind == "rabbitmq")  # fmt: skip


def install_commands() -> Path:
    """Write the stand-in commands to <roots>/bookworm-bin and put that folder first on PATH (for our children)."""
    folder = roots.cache_dir() / f"{REDIS_7_0.release}-bin"
    folder.mkdir(parents=True, exist_ok=True)
    for build, programs in ((REDIS_7_0, REDIS_COMMANDS), (RABBITMQ_3_10, RABBITMQ_COMMANDS)):
        for program in programs:
            partial = folder / f".{program}.{os.getpid()}"
            partial.write_text(_shim(build, program))
            partial.chmod(0o755)
            partial.rename(folder / program)  # atomic: concurrent runs write the same text
    os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
    return folder


def start_shared_services(log: Callable[[str], None]) -> None:
    """The shared Redis (6379) and RabbitMQ (5672, API 15672) from the bookworm root, unless something answers there."""
    for build in (REDIS_7_0, RABBITMQ_3_10):
        build.require()
    if not answers(6379):
        folder = Path(tempfile.mkdtemp(prefix="guide-shared-redis-"))
        argv = REDIS_7_0.server_argv(
            "--port", "6379", "--bind", "127.0.0.1", "-::1", "--save", "", "--appendonly", "no", "--dir", str(folder)
        )
        proc = spawn(argv, log=folder / "redis.log", cwd=folder)
        atexit.register(lambda: (stop(proc), shutil.rmtree(folder, ignore_errors=True)))
        log(f"started the shared Redis {REDIS_7_0.version} from {REDIS_7_0.root} on 127.0.0.1:6379")
    if not answers(5672):
        _start_shared_rabbitmq(log)


def _start_shared_rabbitmq(log: Callable[[str], None]) -> None:
    build = RABBITMQ_3_10
    ensure_epmd(build)
    folder = Path(tempfile.mkdtemp(prefix="guide-shared-rabbit-", dir=build.tmpdir()))
    for sub in ("mnesia", "log"):
        (folder / sub).mkdir()
    (folder / "enabled_plugins").write_text("[rabbitmq_management].\n")
    (folder / "rabbitmq.conf").write_text("listeners.tcp.default = 5672\nmanagement.tcp.port = 15672\n")
    uid, gid = build.user_ids("rabbitmq")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, uid, gid)
    inside = build.inside
    env = {"RABBITMQ_NODENAME": SHARED_NODE, "RABBITMQ_NODE_PORT": "5672", "RABBITMQ_DIST_PORT": "25672",
           "RABBITMQ_MNESIA_BASE": inside(folder / "mnesia"), "RABBITMQ_LOG_BASE": inside(folder / "log"),
           "RABBITMQ_CONFIG_FILE": inside(folder / "rabbitmq.conf"), "RABBITMQ_PID_FILE": inside(folder / "node.pid"),
           "RABBITMQ_ENABLED_PLUGINS_FILE": inside(folder / "enabled_plugins")}  # fmt: skip

    def ctl(*args: str) -> None:
        argv, popen_env = build.command("rabbitmqctl", "-q", "-n", SHARED_NODE, *args, env=env)
        subprocess.run(argv, env=popen_env, check=True, capture_output=True, timeout=120)

    def stop_node() -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            ctl("stop")
        roots.end_processes([p["pid"] for p in processes_marked(SHARED_NODE, build)])
        shutil.rmtree(folder, ignore_errors=True)

    argv, popen_env = build.command("rabbitmq-server", "-detached", env=env)
    subprocess.run(argv, env=popen_env, check=True, capture_output=True, timeout=60)
    atexit.register(stop_node)
    ctl("wait", inside(folder / "node.pid"), "--timeout", "90")
    log(
        f"started the shared RabbitMQ {build.version} ({SHARED_NODE}) from {build.root} on 127.0.0.1:5672, "
        "API on :15672"
    )
