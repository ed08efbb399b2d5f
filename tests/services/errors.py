"""Fail fast, and say which service is missing, where, and how to start it."""

from __future__ import annotations

import importlib.util
import socket
from urllib.parse import urlsplit

from .paths import TESTS


def _start_commands():
    """tests/run.py starts the shared services when they are down; its commands are the ones to show (stdlib only,
    loaded by path: a module named `run` may be something else on sys.path, e.g. bench/run.py)."""
    spec = importlib.util.spec_from_file_location("_tests_run", TESTS / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_RUN = _start_commands()

# How a reader (or CI) starts each shared service on this machine kind, or with Docker.
HOW_TO_START = {
    "Redis": f"{_RUN.REDIS_START}   (or: docker compose up -d redis)",
    "RabbitMQ": f"{_RUN.RABBITMQ_START} && {_RUN.RABBITMQ_WAIT}   (or: docker compose up -d rabbitmq)",
    "Bugsink": "python3 tests/run.py   (creates .venv-bugsink; or: docker compose up -d bugsink)",
}


class ServiceUnavailable(RuntimeError):
    """A service the tests need is down; the message tells how to bring it up."""

    def __init__(self, service: str, url: str, detail: str, how: str | None = None):
        self.service, self.url = service, url
        how = how or HOW_TO_START.get(service, "see README.md")
        super().__init__(f"{service} is not reachable at {url}: {detail}\n  start it with: {how}")


class ProcessExited(RuntimeError):
    """A child process died while we waited for it: no point in waiting longer."""


def host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def require_port(service: str, url: str, default_port: int, timeout: float = 3.0) -> None:
    """Raise ServiceUnavailable unless a TCP connect to the URL's host:port succeeds within `timeout`."""
    host, port = host_port(url, default_port)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise ServiceUnavailable(service, url, f"{type(exc).__name__}: {exc}") from None
