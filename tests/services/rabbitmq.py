"""A throwaway vhost on the local RabbitMQ: the tests' messages never meet a reader's."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid

from .errors import ServiceUnavailable, require_port

# The broker the tests borrow a vhost on (never its "/" vhost, never its data).
BROKER_URL = os.environ.get("GUIDE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
# Preferred when it answers (e.g. a CI service container, which rabbitmqctl cannot reach).
MANAGEMENT_URL = os.environ.get("GUIDE_TEST_RABBITMQ_API", "http://guest:guest@127.0.0.1:15672")


class Vhost:
    """Create a uniquely named vhost with full rights for the broker's user; delete it (and all in it) on close."""

    def __init__(self, prefix: str = "guide-test"):
        self.name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        parts = urllib.parse.urlsplit(BROKER_URL)
        self.user = urllib.parse.unquote(parts.username or "guest")
        self.password = urllib.parse.unquote(parts.password or "guest")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5672

    @property
    def url(self) -> str:
        return f"amqp://{self.user}:{self.password}@{self.host}:{self.port}/{urllib.parse.quote(self.name, safe='')}"

    def create(self) -> Vhost:
        require_port("RabbitMQ", BROKER_URL, 5672)
        self.via_ctl = not _api_answers()  # e.g. a CI service container: rabbitmqctl cannot reach it
        if self.via_ctl:
            _ctl("add_vhost", self.name)
            _ctl("set_permissions", "-p", self.name, self.user, ".*", ".*", ".*")
        else:
            _api("PUT", f"/api/vhosts/{self._q}")
            _api("PUT", f"/api/permissions/{self._q}/{self.user}", {"configure": ".*", "write": ".*", "read": ".*"})
        return self

    def delete(self) -> None:
        if self.via_ctl:
            _ctl("delete_vhost", self.name)
        else:
            _api("DELETE", f"/api/vhosts/{self._q}")

    @property
    def _q(self) -> str:
        return urllib.parse.quote(self.name, safe="")

    def __enter__(self) -> Vhost:
        return self.create()

    def __exit__(self, *exc) -> None:
        self.delete()


def _api_answers() -> bool:
    try:
        require_port("RabbitMQ management API", MANAGEMENT_URL, 15672, timeout=1)
    except ServiceUnavailable:
        return False
    return True


def _ctl(*args: str) -> str:
    if not shutil.which("rabbitmqctl"):
        raise ServiceUnavailable("RabbitMQ", BROKER_URL, "neither rabbitmqctl nor the management API is available",
                                 "install rabbitmq-server, or enable the rabbitmq_management plugin")  # fmt: skip
    try:
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise ServiceUnavailable("RabbitMQ", BROKER_URL, f"rabbitmqctl {args[0]} hung for 30 s") from None
    if done.returncode != 0:
        raise ServiceUnavailable("RabbitMQ", BROKER_URL, f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _api(method: str, path: str, body: dict | None = None) -> None:
    parts = urllib.parse.urlsplit(MANAGEMENT_URL)
    base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}"
    token = base64.b64encode(f"{parts.username or 'guest'}:{parts.password or 'guest'}".encode()).decode()
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Basic {token}")
    req.add_header("Content-Type", "application/json")
    try:
        urllib.request.urlopen(req, timeout=10).close()
    except (urllib.error.URLError, OSError) as exc:
        raise ServiceUnavailable("RabbitMQ management API", base, str(exc), "enable the rabbitmq_management plugin") from None
