"""RabbitMQ for the tests: vhosts of our own (never a broker's "/" vhost), its HTTP API, queue counts, certificates.

- `ManagementApi`: the one client of the management plugin's HTTP API (vhosts, users, queues).
- `Vhost`: a uniquely named vhost, deleted with everything in it at the end. On a private node
  (`RabbitNode.vhost()`) it is made through the API (~20 ms). On the shared local broker (`Vhost()`)
  through the API when the plugin answers, else with two `rabbitmqctl` calls (1-4 s each here).
- `queue_counts`, `delete_queues`, `consumers`: AMQP-side checks, by passive declares.
- `make_certs`: a CA and a server certificate, by the openssl commands docs/rabbitmq/security.md shows;
  `TlsNode` is a private node serving them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pika

from .errors import ServiceUnavailable, require_port
from .procs import eventually

if TYPE_CHECKING:
    from .rabbitmq_node import RabbitNode

# The shared broker the tests borrow a vhost on (never its "/" vhost, never its data).
BROKER_URL = os.environ.get("GUIDE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
# Preferred when it answers (e.g. a CI service container, which rabbitmqctl cannot reach).
MANAGEMENT_URL = os.environ.get("GUIDE_TEST_RABBITMQ_API", "http://guest:guest@127.0.0.1:15672")
FULL_RIGHTS = {"configure": ".*", "write": ".*", "read": ".*"}


class ManagementApi:
    """The HTTP API of one broker. `url` carries the credentials, the way snippets read RABBITMQ_API_URL."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}"
        self.auth = (urllib.parse.unquote(parts.username or "guest"), urllib.parse.unquote(parts.password or "guest"))

    @property
    def url(self) -> str:
        user, password = (urllib.parse.quote(part, safe="") for part in self.auth)
        return self.base.replace("://", f"://{user}:{password}@", 1)

    def request(self, method: str, path: str, body: dict | None = None, *, check: bool = True) -> httpx.Response:
        try:
            response = httpx.request(method, self.base + path, json=body, auth=self.auth, timeout=30)
        except httpx.TransportError as exc:
            how = "enable the rabbitmq_management plugin"
            raise ServiceUnavailable("RabbitMQ management API", self.base, str(exc), how) from None
        if check:
            response.raise_for_status()
        return response

    def get(self, path: str):
        return self.request("GET", path).json()

    def answers(self) -> bool:
        try:
            require_port("RabbitMQ management API", self.base, 15672, timeout=1)
        except ServiceUnavailable:
            return False
        return True

    def wait_ready(self, timeout: float = 30) -> None:
        """A node's API starts a moment after the node says it is up."""

        def overview() -> bool:
            try:
                return httpx.get(self.base + "/api/overview", auth=self.auth, timeout=5).is_success
            except httpx.TransportError:
                return False

        eventually(overview, timeout, interval=0.2, what=f"the management API at {self.base}")

    def add_vhost(self, name: str, user: str) -> None:
        q = _quote(name)
        self.request("PUT", f"/api/vhosts/{q}")
        self.request("PUT", f"/api/permissions/{q}/{_quote(user)}", FULL_RIGHTS)

    def delete_vhost(self, name: str) -> None:
        self.request("DELETE", f"/api/vhosts/{_quote(name)}", check=False)

    def vhost_running(self, name: str, node: str) -> bool:
        return self.get(f"/api/vhosts/{_quote(name)}").get("cluster_state", {}).get(node) == "running"


class Vhost:
    """A fresh vhost (`<prefix>-<random>`) with full rights for the broker's user; deleted, with all in it, on exit.

    `amqp` is the broker's URL without a vhost; `api` its management API (None: the shared broker picks
    the API or rabbitmqctl when the vhost is made); `node` names the node whose recovery `wait_running` awaits.
    """

    def __init__(self, prefix: str = "guide-test", *, amqp: str | None = None, api: ManagementApi | None = None,
                 node: str | None = None):
        self.name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.broker = amqp or BROKER_URL
        parts = urllib.parse.urlsplit(self.broker)
        self.user = urllib.parse.unquote(parts.username or "guest")
        self.password = urllib.parse.unquote(parts.password or "guest")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5672
        self.api, self.node = api, node

    @property
    def url(self) -> str:
        return f"amqp://{self.user}:{self.password}@{self.host}:{self.port}/{_quote(self.name)}"

    def create(self) -> Vhost:
        if self.api is None:  # the shared broker
            require_port("RabbitMQ", self.broker, 5672)
            api = ManagementApi(MANAGEMENT_URL)
            self.api = api if api.answers() else None
        if self.api is None:
            _ctl("add_vhost", self.name)
            _ctl("set_permissions", "-p", self.name, self.user, ".*", ".*", ".*")
        else:
            self.api.wait_ready()
            self.api.add_vhost(self.name, self.user)
        return self

    def delete(self) -> None:
        try:
            if self.api is None:
                _ctl("delete_vhost", self.name)
            else:
                self.api.delete_vhost(self.name)
        except ServiceUnavailable:
            if self.node is None:
                raise
            # a private node that is down (a test crashed it): its data dir goes with it

    def wait_running(self, timeout: float = 30) -> None:
        """After a node restart: the node answers before every vhost has recovered its queues; wait for this one."""
        eventually(lambda: self.api.vhost_running(self.name, self.node), timeout, interval=0.2,
                   what=f"vhost {self.name} to recover")

    def __enter__(self) -> Vhost:
        return self.create()

    def __exit__(self, *exc) -> None:
        self.delete()


def _quote(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def _ctl(*args: str) -> str:
    if not shutil.which("rabbitmqctl"):
        raise ServiceUnavailable("RabbitMQ", BROKER_URL, "neither rabbitmqctl nor the management API is available",
                                 "install rabbitmq-server, or enable the rabbitmq_management plugin")
    try:
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise ServiceUnavailable("RabbitMQ", BROKER_URL, f"rabbitmqctl {args[0]} hung for 30 s") from None
    if done.returncode != 0:
        raise ServiceUnavailable("RabbitMQ", BROKER_URL, f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


# -- AMQP-side checks ------------------------------------------------------------------------------


def queue_counts(url: str, *queues: str) -> dict[str, int | None]:
    """Ready messages per queue (None: the queue does not exist), by passive declares."""
    counts: dict[str, int | None] = {}
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        for queue in queues:
            channel = connection.channel()
            try:
                counts[queue] = channel.queue_declare(queue, passive=True).method.message_count
                channel.close()
            except pika.exceptions.ChannelClosedByBroker as exc:
                assert exc.reply_code == 404, exc
                counts[queue] = None
    return counts


def consumers(url: str, queue: str) -> int:
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count


def delete_queues(url: str, *queues: str) -> None:
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        for queue in queues:
            channel.queue_delete(queue)


# -- TLS -------------------------------------------------------------------------------------------


@dataclass
class Certs:
    dir: Path
    ca: Path
    cert: Path
    key: Path


# Exactly what docs/rabbitmq/security.md tells a reader to run (tests/claims/test_rabbitmq_tls.py checks that).
CERT_COMMANDS = [
    'openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=My test CA"'
    ' -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"'
    " -keyout ca_key.pem -out ca_certificate.pem",
    'openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server_key.pem -out server.csr',
    "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n"
    "authorityKeyIdentifier=keyid\\n' > server.ext",
    "openssl x509 -req -in server.csr -CA ca_certificate.pem -CAkey ca_key.pem -CAcreateserial"
    " -days 365 -extfile server.ext -out server_certificate.pem",
]


def make_certs(directory: Path) -> Certs:
    """A CA and a server certificate for localhost / 127.0.0.1, made by the commands the page shows."""
    for command in CERT_COMMANDS:
        subprocess.run(["bash", "-c", command], cwd=directory, check=True, capture_output=True, timeout=60)
    names = ("ca_certificate.pem", "server_certificate.pem", "server_key.pem")
    return Certs(directory, *(directory / name for name in names))


@dataclass
class TlsNode:
    """A private node with only a TLS listener, and the certificates it was made with."""

    node: RabbitNode
    certs: Certs

    @property
    def env(self) -> dict[str, str]:
        """What tls_connect.py reads."""
        return {"AMQPS_URL": self.node.tls_url, "RABBITMQ_CA_FILE": str(self.certs.ca)}
