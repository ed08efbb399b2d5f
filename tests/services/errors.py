"""Fail fast, and say which service is missing, where, and how to start it."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

# How a reader (or CI) starts each shared service on this machine kind, or with Docker.
HOW_TO_START = {
    "Redis": (
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
        "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
        "   (or: docker compose up -d redis)"
    ),
    "RabbitMQ": (
        "rabbitmq-server -detached && rabbitmqctl wait "
        "/var/lib/rabbitmq/mnesia/rabbit@$(hostname -s).pid --timeout 60"
        "   (or: docker compose up -d rabbitmq)"
    ),
    "Bugsink": "python3 tests/run.py   (creates .venv-bugsink; or: docker compose up -d bugsink)",
}


class ServiceUnavailable(RuntimeError):
    """A service the tests need is down; the message tells how to bring it up."""

    def __init__(self, service: str, url: str, detail: str, how: str | None = None):
        self.service, self.url = service, url
        how = how or HOW_TO_START.get(service, "see README.md")
        super().__init__(f"{service} is not reachable at {url}: {detail}\n  start it with: {how}")


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


class ProcessExited(RuntimeError):
    """A child process died while we waited for it: no point in waiting longer."""


def wait_until(check, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll `check()` until it returns a truthy value; raise TimeoutError naming `what`.

    Other exceptions from `check()` count as "not yet", except ServiceUnavailable and ProcessExited,
    which end the wait at once.
    """
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except (ServiceUnavailable, ProcessExited):
            raise
        except Exception as exc:  # noqa: BLE001 - keep polling, report the last failure
            last_exc = exc
        else:
            if value:
                return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}" + (f" (last error: {last_exc})" if last_exc else ""))
