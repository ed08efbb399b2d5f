"""A private RabbitMQ node (own name, ports and data dir) for tests that restart, crash or reconfigure a broker.

The Debian wrappers `rabbitmq-server` / `rabbitmqctl` switch to the `rabbitmq` user and keep the
environment, so the node's directory must be owned by that user (else the node dies silently and
`rabbitmqctl wait` times out). Ready in ~7 s; `stop_app`/`start_app` ~7 s together; `stop()` ~6 s.
`build` (services/generations.py) picks the broker: RabbitMQ 3.10 (the default) or 4.0; a build in a Debian
root keeps the node's folder inside that root (where its chroot'ed node can see it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from .errors import ServiceUnavailable
from .generations import DEFAULT_RABBITMQ, Build, ensure_epmd, processes_marked
from .procs import eventually, free_port, tail
from .rabbitmq import ManagementApi, Vhost
from .roots import end_processes, exited


class RabbitNode:
    def __init__(
        self,
        *,
        management: bool = False,
        conf: str = "",
        plugins: tuple[str, ...] = (),
        tcp: bool = True,
        tls: tuple[Path, Path, Path] | None = None,
        guest_localhost_only: bool = False,
        build: Build | None = None,
        advanced: str = "",
    ):
        """`tcp=False` disables the plaintext AMQP listener; `tls=(ca, cert, key)` (PEM files) adds an amqps
        listener on `ssl_port`; `guest_localhost_only=True` keeps the broker's default `loopback_users`;
        `advanced` is an advanced.config (Erlang terms), for settings rabbitmq.conf lacks (channel_tick_interval)."""
        self.build = build or DEFAULT_RABBITMQ
        self.build.require()
        self.name = f"guide{uuid.uuid4().hex[:8]}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.management_port = free_port() if management else None
        self.ssl_port = free_port() if tls else None
        # not under pytest's 0700 tmp: user rabbitmq must enter; for a build in a root, inside that root
        self.dir = Path(tempfile.mkdtemp(prefix="guide-rabbit-", dir=self.build.tmpdir()))
        (self.dir / "mnesia").mkdir()
        (self.dir / "log").mkdir()
        enabled = list(plugins) + (["rabbitmq_management"] if management else [])
        (self.dir / "enabled_plugins").write_text(f"[{','.join(enabled)}].\n")
        lines = [f"listeners.tcp.default = {self.port}" if tcp else "listeners.tcp = none"]
        if not guest_localhost_only:
            lines.append("loopback_users = none")
        if tls:
            (self.dir / "tls").mkdir()
            names = ("ca_certificate.pem", "server_certificate.pem", "server_key.pem")
            for src, name in zip(tls, names, strict=True):
                shutil.copy(src, self.dir / "tls" / name)
            lines += [
                f"listeners.ssl.default = {self.ssl_port}",
                *(
                    f"ssl_options.{key} = {self.build.inside(self.dir / 'tls' / name)}"
                    for key, name in zip(("cacertfile", "certfile", "keyfile"), names, strict=True)
                ),
                "ssl_options.verify = verify_none",
                "ssl_options.fail_if_no_peer_cert = false",
            ]
        if management:
            lines.append(f"management.tcp.port = {self.management_port}")
        (self.dir / "rabbitmq.conf").write_text("\n".join(lines) + "\n" + conf)
        self.advanced = advanced
        if advanced:
            (self.dir / "advanced.config").write_text(advanced)
        uid, gid = self.build.user_ids("rabbitmq")
        for path in [self.dir, *self.dir.rglob("*")]:
            os.chown(path, uid, gid)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    @property
    def tls_url(self) -> str:
        return f"amqps://guest:guest@localhost:{self.ssl_port}/%2F"

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.management_port}"

    def api(self) -> ManagementApi:
        """Its HTTP API (needs `management=True`); `api().url` is what snippets read as RABBITMQ_API_URL."""
        return ManagementApi(f"http://guest:guest@127.0.0.1:{self.management_port}")

    def vhost(self, prefix: str = "snippet") -> Vhost:
        """A fresh vhost on this node (a context manager: made on enter, deleted with its queues on exit)."""
        return Vhost(prefix, amqp=f"amqp://guest:guest@127.0.0.1:{self.port}/", api=self.api(), node=self.name)

    @property
    def pidfile(self) -> Path:
        return self.dir / "node.pid"

    @property
    def log(self) -> Path:
        return self.dir / "log" / f"{self.name}.log"

    def _env(self) -> dict:
        inside = self.build.inside  # the paths the node sees (the same as ours for the host's build)
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": inside(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": inside(self.dir / "log"),
            "RABBITMQ_CONFIG_FILE": inside(self.dir / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": inside(self.dir / "enabled_plugins"),
            "RABBITMQ_PID_FILE": inside(self.pidfile),
            **({"RABBITMQ_ADVANCED_CONFIG_FILE": inside(self.dir / "advanced.config")} if self.advanced else {}),
        }

    def ctl(self, *args: str, timeout: float = 90) -> str:
        """`rabbitmqctl -n NODE ...` -> stdout; raises with the node's log on failure."""
        argv, env = self.build.command("rabbitmqctl", "-q", "-n", self.name, *args, env=self._env())
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip()}\n{tail(self.log)}")
        return done.stdout

    def start(self) -> RabbitNode:
        ensure_epmd(self.build)
        argv, env = self.build.command("rabbitmq-server", "-detached", env=self._env())
        subprocess.run(argv, env=env, check=True, capture_output=True, timeout=60)
        try:
            self.ctl("wait", self.build.inside(self.pidfile), "--timeout", "60")
        except RuntimeError as exc:
            raise ServiceUnavailable(f"{self.build.service} (private node)", self.url, str(exc)) from None
        return self

    def stop_app(self) -> None:
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        self.ctl("await_startup", "--timeout", "60")

    def _running_pid(self) -> int | None:
        """The pid in the node's pid file while that process is this node (not a later process given its pid)."""
        try:
            pid = int(self.pidfile.read_text().strip())
            ours = f"RABBITMQ_NODENAME={self.name}\0".encode() in Path(f"/proc/{pid}/environ").read_bytes()
            return pid if ours else None
        except (FileNotFoundError, ProcessLookupError, ValueError):
            return None

    def kill9(self) -> None:
        """Crash the node (no shutdown), then wait until its pid is gone."""
        pid = int(self.pidfile.read_text().strip())
        os.kill(pid, signal.SIGKILL)
        eventually(lambda: exited(pid), 10, what="killed RabbitMQ node to exit")

    def restart(self) -> None:
        """Stop the whole node (its Erlang VM, like `docker compose restart`), keep its data dir, start it again."""
        self.ctl(
            "stop", self.build.inside(self.pidfile), timeout=60
        )  # with the pid file: returns once the VM has exited
        self.start()

    def stop(self) -> None:
        """End the node and delete its data. It is killed: nothing of a throwaway node needs keeping, and a graceful
        `rabbitmqctl stop` took 4-9 s a node here (`restart()` is the graceful stop claims measure)."""
        if self._running_pid() is not None:
            self.kill9()
        elif not self.pidfile.exists():  # it never wrote its pid file: ask by name
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.ctl("stop", timeout=30)
        self._end_leftovers()  # its port programs (erl_child_setup, inet_gethost, the disk monitor's sh) go with it
        # epmd may keep the name registered a little longer; the data dir goes now
        shutil.rmtree(self.dir, ignore_errors=True)

    def _end_leftovers(self) -> None:
        end_processes([p["pid"] for p in processes_marked(self.name, self.build)])

    def __enter__(self) -> RabbitNode:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
