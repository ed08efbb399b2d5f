"""An ASGI app (FastAPI) from a snippet module, served by a real uvicorn subprocess on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from .errors import ProcessExited, wait_until
from .procs import free_port, spawn, stop, tail


class UvicornApp:
    """`uvicorn module:attr` in `cwd` with `env`; `url` is its base URL once `start()` returns."""

    def __init__(self, target: str, *, cwd: Path, env: dict, logdir: Path, health_path: str = "/openapi.json"):
        self.target, self.cwd, self.env, self.health_path = target, cwd, env, health_path
        self.port = free_port()
        self.log = logdir / f"uvicorn-{target.replace(':', '-').replace('.', '_')}-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> UvicornApp:
        env = {**os.environ, **self.env, "PYTHONPATH": os.pathsep.join([str(self.cwd), self.env.get("PYTHONPATH", "")])}
        args = [sys.executable, "-m", "uvicorn", self.target, "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = spawn(args, log=self.log, cwd=self.cwd, env=env)

        def up() -> bool:
            if self.proc.poll() is not None:
                raise ProcessExited(f"uvicorn {self.target} exited with code {self.proc.returncode}:\n{tail(self.log)}")
            with urllib.request.urlopen(self.url + self.health_path, timeout=2):
                return True

        try:
            wait_until(up, timeout=timeout, interval=0.1, what=f"uvicorn {self.target} on port {self.port}")
        except TimeoutError as exc:
            self.stop()
            raise RuntimeError(f"{exc}\n{tail(self.log)}") from None
        except ProcessExited:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)

    def __enter__(self) -> UvicornApp:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
