"""A private redis-server on a free port in a temp dir: tests may flush, kill or reconfigure it."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import redis

from .errors import ServiceUnavailable
from .generations import DEFAULT_REDIS, Build
from .procs import eventually, free_port, spawn, stop, tail


class RedisServer:
    """`redis-server` run in the foreground as our child, so we can stop, kill -9 and restart it.

    `build` (services/generations.py) picks the server: Redis 8.0, Valkey 8.1 or Redis 7.0 (the default)."""

    def __init__(
        self, workdir: Path, *args: str, port: int | None = None, name: str = "redis", build: Build | None = None
    ):
        self.build = build or DEFAULT_REDIS
        self.dir = workdir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.args = list(args)
        self.log = self.dir / "redis.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, **kwargs)

    def start(self, *, ready: bool = True) -> RedisServer:
        self.build.require()
        base = [
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.dir),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        # later flags override earlier ones, so per-test args (e.g. --appendonly yes) win
        self.proc = spawn(self.build.server_argv(*base, *self.args), log=self.log, cwd=self.dir)
        if ready:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        def pong() -> bool:
            if self.proc and self.proc.poll() is not None:
                raise ServiceUnavailable(
                    self.build.service, self.url, f"private {self.build.server} exited:\n{tail(self.log)}"
                )
            return self.client().ping()

        try:
            eventually(pong, timeout, interval=0.05, what=f"private {self.build.server} on port {self.port}")
        except ServiceUnavailable:
            raise
        except Exception as exc:  # still not answering when time ran out
            raise ServiceUnavailable(self.build.service, self.url, f"{exc!r}\n{tail(self.log)}") from None

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)

    def kill9(self) -> None:
        """Crash it: no shutdown save, no AOF rewrite, no goodbye."""
        if self.proc:
            stop(self.proc, sig=signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
