"""The server builds a test can ask for, as data: which server, which version, where its binaries live.

- generation "current": Debian 13's packages (Redis 8.0.2, Valkey 8.1.1, RabbitMQ 4.0.5 on Erlang 27) in
  the trixie root that services/roots.py builds once per machine.
- generation "debian12": Redis 7.0.15 and RabbitMQ 3.10.8. The host's own binaries when the host is
  Debian 12 with both packages installed (this machine), else the same packages from a bookworm root
  (the GitHub runner is Ubuntu). GUIDE_DEBIAN12_FROM_ROOT=1 forces the root, to try the runner's path here.

How a build runs a program (`command()`):
- host: the binary on PATH, as the tests always did.
- Redis / Valkey in a root: through the root's own loader and libraries, no chroot, so host paths
  (`--dir`, TLS files) work. The process shows up as `ld-linux-x86-64`, not `redis-server`.
- RabbitMQ in a root: `chroot`, in a private mount namespace that mounts /proc for it alone (the mount
  vanishes with the last process; the host sees none). Its files must lie inside the root: `tmpdir()`
  is where to create them, `inside(path)` the path the node sees. Needs root.

Standard library only (tests/run.py uses it before any venv exists).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import platform
import pwd
import re
import shutil
import socket
import subprocess
import time
from functools import cache
from pathlib import Path

from . import roots
from .errors import ServiceUnavailable
from .procs import spawn, tail

CHROOT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# $0 is the root; /proc is mounted in this process's own mount namespace only, then chroot execs the program
_IN_ROOT = 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"'
_MULTIARCH = {
    "x86_64": ("x86_64-linux-gnu", "lib64/ld-linux-x86-64.so.2"),
    "aarch64": ("aarch64-linux-gnu", "lib/ld-linux-aarch64.so.1"),
}


@dataclasses.dataclass(frozen=True)
class Build:
    name: str  # "redis-8.0": the pytest id
    kind: str  # "redis" (Redis and Valkey) or "rabbitmq"
    label: str  # "Redis 8.0"
    generation: str  # "current" or "debian12"
    version: str  # the upstream version it must report, e.g. "8.0.2"
    release: str  # the Debian release whose package it is
    server: str  # "redis-server", "valkey-server", "rabbitmq-server"
    cli: str  # "redis-cli", "valkey-cli", "rabbitmqctl"
    root: Path | None = None  # None: the host's own binaries

    def __str__(self) -> str:
        return self.name

    @property
    def service(self) -> str:
        """The service name errors use: "Redis" / "RabbitMQ" for the host build (as before), else the build's label."""
        return (
            {"redis": "Redis", "rabbitmq": "RabbitMQ"}[self.kind]
            if self.root is None
            else f"{self.label} ({self.name})"
        )

    # -- is it there? -----------------------------------------------------------------------------

    def require(self) -> None:
        """Raise ServiceUnavailable saying which build is missing, where it was expected, and how to get it."""
        if self.root is None:
            if not shutil.which(self.server):
                package = "redis-server" if self.kind == "redis" else "rabbitmq-server"
                raise ServiceUnavailable(
                    self.service, f"{self.server} binary", "not installed", f"apt-get install {package}"
                )
            return
        if not (self.root / roots.STAMP).exists() or not self._binary(self.server).exists():
            spec = roots.SPECS[self.release]
            raise ServiceUnavailable(
                self.service, f"{self.server} in {self.root}",
                f"the Debian {spec['debian']} ({self.release}) root is not built",
                f"{roots.build_command(self.release)}   (python3 tests/run.py builds it before the tests)",
            )  # fmt: skip
        if self.kind == "rabbitmq" and os.geteuid() != 0:
            raise ServiceUnavailable(self.service, str(self.root),
                                     "running it needs root (chroot, a private /proc mount)",
                                     "run the tests as root: sudo -E python3 tests/run.py")  # fmt: skip

    def _binary(self, program: str) -> Path:
        assert self.root is not None
        return next((self.root / d / program for d in ("usr/bin", "usr/sbin") if (self.root / d / program).exists()),
                    self.root / "usr/bin" / program)  # fmt: skip

    # -- how to run its programs --------------------------------------------------------------------

    def command(self, program: str, *args: str, env: dict | None = None) -> tuple[list[str], dict]:
        """argv and environment that run `program args` of this build. For RabbitMQ in a root only the
        RABBITMQ_* / ERL_* variables of `env` reach the program (paths in them must be `inside()` paths)."""
        env = env or {}
        if self.root is None:
            return [shutil.which(program) or program, *args], {**os.environ, **env}
        if self.kind == "redis":
            return [*_through_loader(self.root), str(self._binary(program)), *args], {**os.environ, **env}
        passed = [f"{k}={v}" for k, v in env.items() if k.startswith(("RABBITMQ_", "ERL_"))]
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _IN_ROOT, str(self.root),
                "/usr/bin/env", "-i", f"PATH={CHROOT_PATH}", *passed, program, *args]  # fmt: skip
        return argv, dict(os.environ)

    def argv(self, program: str, *args: str) -> list[str]:
        return self.command(program, *args)[0]

    def server_argv(self, *args: str) -> list[str]:
        return self.argv(self.server, *args)

    def cli_argv(self, *args: str) -> list[str]:
        return self.argv(self.cli, *args)

    # -- where its files go -------------------------------------------------------------------------

    def tmpdir(self) -> Path | None:
        """Parent for a RabbitMQ node's folder: the system temp dir, or the root's /tmp (the node sees only the
        root)."""
        return None if self.root is None or self.kind == "redis" else self.root / "tmp"

    def inside(self, path: Path | str) -> str:
        """The path a program of this build sees for the host path `path`."""
        if self.root is None or self.kind == "redis":
            return str(path)
        return "/" + str(Path(path).relative_to(self.root))

    def user_ids(self, user: str) -> tuple[int, int]:
        """(uid, gid) of `user` as this build's programs know it (the root's /etc/passwd: its own uids)."""
        if self.root is None or self.kind == "redis":
            entry = pwd.getpwnam(user)
            return entry.pw_uid, entry.pw_gid
        for line in (self.root / "etc" / "passwd").read_text().splitlines():
            fields = line.split(":")
            if fields[0] == user:
                return int(fields[2]), int(fields[3])
        raise KeyError(f"no user {user!r} in {self.root}/etc/passwd")

    # -- what it is ---------------------------------------------------------------------------------

    def installed_version(self) -> str:
        """The version its binaries report (`redis-server --version`, `rabbitmqctl version`)."""
        self.require()
        if self.kind == "redis":
            out = subprocess.run(self.server_argv("--version"), capture_output=True, text=True, timeout=30).stdout
            return re.search(r"v=(\S+)", out).group(1)
        argv, env = self.command(self.cli, "version")
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60).stdout.strip()


def _through_loader(root: Path) -> list[str]:
    """Run a binary of `root` with the root's own loader and libraries (no chroot: host paths keep working)."""
    triplet, loader = _MULTIARCH[platform.machine()]
    return [str(root / loader), "--library-path", f"{root}/usr/lib/{triplet}:{root}/lib/{triplet}"]


@cache
def host_has_debian12() -> bool:
    """Debian 12 with Debian's redis-server 7.0 and rabbitmq-server 3.10 installed (what this machine is)."""
    if os.environ.get("GUIDE_DEBIAN12_FROM_ROOT") == "1":
        return False
    try:
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
    except FileNotFoundError:
        return False
    if release.get("ID") != "debian" or release.get("VERSION_ID", "").strip('"') != "12":
        return False
    listed = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version} ${db:Status-Status}\n",
                             "redis-server", "rabbitmq-server"], capture_output=True, text=True)  # fmt: skip
    installed = {
        p: v for p, v, status in (line.split() for line in listed.stdout.splitlines()) if status == "installed"
    }
    return roots.version_matches(installed.get("redis-server", "-"), "7.0") and roots.version_matches(
        installed.get("rabbitmq-server", "-"), "3.10"
    )


def needed_releases() -> list[str]:
    """The roots this machine needs: always trixie; bookworm where the host lacks Debian 12's servers."""
    return ["trixie"] if host_has_debian12() else ["trixie", "bookworm"]


def _debian12_root() -> Path | None:
    return None if host_has_debian12() else roots.path("bookworm")


_TRIXIE = roots.path("trixie")
REDIS_8_0 = Build("redis-8.0", "redis", "Redis 8.0", "current", "8.0.2", "trixie", "redis-server", "redis-cli", _TRIXIE)
VALKEY_8_1 = Build(
    "valkey-8.1", "redis", "Valkey 8.1", "current", "8.1.1", "trixie", "valkey-server", "valkey-cli", _TRIXIE
)
REDIS_7_0 = Build(
    "redis-7.0", "redis", "Redis 7.0", "debian12", "7.0.15", "bookworm", "redis-server", "redis-cli", _debian12_root()
)
RABBITMQ_4_0 = Build(
    "rabbitmq-4.0", "rabbitmq", "RabbitMQ 4.0", "current", "4.0.5", "trixie", "rabbitmq-server", "rabbitmqctl", _TRIXIE
)
RABBITMQ_3_10 = Build("rabbitmq-3.10", "rabbitmq", "RabbitMQ 3.10", "debian12", "3.10.8", "bookworm",
                      "rabbitmq-server", "rabbitmqctl", _debian12_root())  # fmt: skip

REDIS_BUILDS = (REDIS_8_0, VALKEY_8_1, REDIS_7_0)
RABBITMQ_BUILDS = (RABBITMQ_4_0, RABBITMQ_3_10)
# What RedisServer / RabbitNode run when no build is given: Debian 12's, as the tests always did.
DEFAULT_REDIS = REDIS_7_0
DEFAULT_RABBITMQ = RABBITMQ_3_10
# The broker the RabbitMQ and Celery snippets (and the claims that borrow a vhost) run on: the current
# generation, whose output the pages' `#>` lines show (fixtures/rabbitmq.py `broker_node`).
SNIPPET_RABBITMQ = RABBITMQ_4_0
SNIPPET_REDIS = REDIS_8_0  # the Redis snippets' server: their `#>` lines are Redis 8.0's output
ERLANG_MAJOR = {"rabbitmq-4.0": "27", "rabbitmq-3.10": "25"}


def by_name(name: str) -> Build:
    return {b.name: b for b in (*REDIS_BUILDS, *RABBITMQ_BUILDS)}[name]


# -- epmd: the Erlang port mapper every node on the machine registers with ------------------------------

_EPMD: list = []


def ensure_epmd(build: Build) -> None:
    """A node in a root registers with the host's epmd (127.0.0.1:4369). Where none runs, the first node
    would start one inside the root that outlives it; start it ourselves instead, as our child, so it is
    ended (by pid, at exit) with the process that started it."""
    if build.root is None or _EPMD or answers(4369):
        return
    epmd = next(build.root.glob("usr/lib/erlang/erts-*/bin/epmd"))
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"guide-epmd-{os.getpid()}.log"
    _EPMD.append(spawn([*_through_loader(build.root), str(epmd)], log=log))
    atexit.register(log.unlink, missing_ok=True)  # epmd itself is ended at exit by procs (spawn)
    for _ in range(100):
        if answers(4369):
            return
        if _EPMD[0].poll() is not None:
            break
        time.sleep(0.05)
    raise ServiceUnavailable("epmd", "127.0.0.1:4369", f"{epmd} did not start:\n{tail(log)}")


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


# -- what a test left behind ----------------------------------------------------------------------------


def processes_marked(marker: str, build: Build) -> list[dict]:
    """Processes of `build` that carry `marker` (a node name, a server's folder) in their environment,
    command line or working directory: ours, even when other runs use the same root at the same time."""
    if build.root is not None:
        candidates = roots.processes_in(build.root)
    else:
        candidates = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError, PermissionError):
                    comm = (entry / "comm").read_text().strip()
                    candidates.append({"pid": int(entry.name), "comm": comm, "cwd": os.readlink(entry / "cwd"),
                                       "environ": (entry / "environ").read_bytes()})  # fmt: skip
    found = []
    for proc in candidates:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, PermissionError):
            cmdline = Path(f"/proc/{proc['pid']}/cmdline").read_bytes()
            if marker.encode() in proc["environ"] or marker.encode() in cmdline or proc["cwd"].startswith(marker):
                found.append({**proc, "cmdline": cmdline.replace(b"\0", b" ").decode(errors="replace").strip()})
    return [p for p in found if p["pid"] != os.getpid()]
