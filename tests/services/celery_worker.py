"""A real `celery worker` subprocess for a snippet module, started and always stopped by the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from .procs import spawn, stop, wait_ready


class CeleryWorker:
    """`celery -A <module> worker -P threads` in `cwd`, with the tests' env (AMQP_URL, REDIS_URL, ...).

    Threads pool and heartbeats on: `-P solo` or `--without-heartbeat` stall for 10-170 s on RabbitMQ.
    """

    def __init__(self, app: str, *, cwd: Path, env: dict, logdir: Path, queues: str | None = None,
                 concurrency: int = 2, pool: str = "threads", extra: tuple[str, ...] = ()):  # fmt: skip
        self.app, self.cwd, self.env = app, cwd, env
        self.hostname = f"{app.replace('.', '_').replace(':', '_')}-{uuid.uuid4().hex[:6]}@%h"
        self.log = logdir / f"worker-{self.hostname.split('@')[0]}.log"
        self.args = [sys.executable, "-m", "celery", "-A", app, "worker", "-P", pool, "-c", str(concurrency),
                     "--without-gossip", "--without-mingle", "-n", self.hostname, "--loglevel", "INFO", *extra]  # fmt: skip
        if queues:
            self.args += ["-Q", queues]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> CeleryWorker:
        env = {**os.environ, **self.env, "PYTHONPATH": os.pathsep.join([str(self.cwd), self.env.get("PYTHONPATH", "")])}
        self.proc = spawn(self.args, log=self.log, cwd=self.cwd, env=env)

        def ready() -> bool:
            return " ready." in self.log.read_text(errors="replace")

        wait_ready(self.proc, self.log, ready, what=f"celery worker for {self.app}", timeout=timeout)
        return self

    def stop(self) -> None:
        if self.proc:
            stop(self.proc, sig=signal.SIGTERM, timeout=10)

    def kill9(self) -> None:
        if self.proc:
            stop(self.proc, sig=signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def __enter__(self) -> CeleryWorker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
