"""An ASGI app (FastAPI) from a snippet module, served by a real uvicorn subprocess on a free port."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

from .procs import child_env, free_port, spawn, stop, wait_ready


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
        env = child_env(self.cwd, self.env)
        args = [sys.executable, "-m", "uvicorn", self.target, "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = spawn(args, log=self.log, cwd=self.cwd, env=env)

        def up() -> bool:
            with urllib.request.urlopen(self.url + self.health_path, timeout=2):
                return True

        wait_ready(self.proc, self.log, up, what=f"uvicorn {self.target}", timeout=timeout)
        return self

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)

    def __enter__(self) -> UvicornApp:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
