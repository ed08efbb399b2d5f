"""Users, vhosts, permissions and the guest account, on private nodes of every RabbitMQ build (4.0 and 3.10).

- The rabbitmqctl commands docs/rabbitmq/security.md shows (the CLI tab) are run verbatim (with `-n NODE`)
  and give the user exactly the rights the page claims.
- guest is refused from a non-loopback address on a node with default settings (the TLS node of each build keeps
  `loopback_users` at its default), and accepted from 127.0.0.1.
The commands run on the session's node of each build (fixtures/rabbitmq_builds.py), removing what they made.
"""

from __future__ import annotations

import re
import shlex
import socket
import ssl
from dataclasses import dataclass

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.paths import DOCS
from services.procs import eventually
from services.rabbitmq import ManagementApi
from services.results import by_build

pytestmark = pytest.mark.page("rabbitmq/security.md")
on_each_build = pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)

PAGE = DOCS / "rabbitmq" / "security.md"
CLI = [
    "rabbitmqctl add_vhost orders",
    "rabbitmqctl add_user orders-app 'change-me'",
    "rabbitmqctl set_permissions -p orders orders-app '^$' '^orders$' '^orders\\.work$'",
]


@pytest.mark.slow
@on_each_build
def test_rabbitmqctl_commands_on_the_page_limit_the_user(build, build_node):
    rabbit_node = build_node(build)
    page = PAGE.read_text()
    for command in CLI:
        assert f"$ {command}\n" in page, f"security.md should show: $ {command}"
    try:
        for command in CLI:
            rabbit_node.ctl(*shlex.split(command)[1:])
        # the admin (the API grants this itself)
        rabbit_node.ctl("set_permissions", "-p", "orders", "guest", ".*", ".*", ".*")
        api = rabbit_node.api()  # the admin's topology, as in security_1_app_user.py
        api.request("PUT", "/api/exchanges/orders/orders", {"type": "direct", "durable": True})
        api.request("PUT", "/api/queues/orders/orders.work", {"durable": True})
        api.request("POST", "/api/bindings/orders/e/orders/q/orders.work", {"routing_key": "new"})

        url = f"amqp://orders-app:change-me@127.0.0.1:{rabbit_node.port}/orders"
        with pika.BlockingConnection(pika.URLParameters(url)) as connection:
            channel = connection.channel()
            channel.confirm_delivery()
            channel.basic_publish("orders", "new", b"ok")  # write: allowed
            assert channel.basic_get("orders.work", auto_ack=True)[2] == b"ok"  # read: allowed
            with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
                connection.channel().queue_declare("orders.mine")  # configure: refused
            assert refused.value.reply_code == 403 and "ACCESS_REFUSED" in refused.value.reply_text
            # a passive declare needs no configure permission: it only checks the queue exists
            assert connection.channel().queue_declare("orders.work", passive=True).method.message_count == 0

        # no tags: the user cannot use the management API (nor the UI, which is a client of it)
        as_app = ManagementApi(f"http://orders-app:change-me@127.0.0.1:{rabbit_node.management_port}")
        assert as_app.request("GET", "/api/overview", check=False).status_code == 401
    finally:
        rabbit_node.ctl("delete_vhost", "orders")
        rabbit_node.ctl("delete_user", "orders-app")


def _non_loopback_ipv4() -> str | None:
    for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
        if not sockaddr[0].startswith("127."):
            return sockaddr[0]
    try:  # no DNS entry for the host name: ask the routing table (no packet is sent)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
            return None if address.startswith("127.") else address
    except OSError:
        return None


@dataclass
class GuestLogins:
    """guest's logins to a node with default settings (the TLS node of a build keeps `loopback_users` as it is)."""

    refused: str | None  # the client's error from the machine's network address: "(403) '...'" (None: logged in)
    logged: list[str]  # the broker's log lines about that login (time, level and Erlang pid left out)
    loopback: bool  # logged in from 127.0.0.1


def guest_logins(tls, address: str) -> GuestLogins:
    context = ssl.create_default_context(cafile=str(tls.certs.ca))
    context.check_hostname = False  # the certificate names localhost; this is about the login

    def connect(host: str):
        params = pika.URLParameters(f"amqps://guest:guest@{host}:{tls.node.ssl_port}/%2F")
        params.ssl_options = pika.SSLOptions(context)
        return pika.BlockingConnection(params)

    seen = len(tls.node.log.read_text().splitlines())
    try:
        with connect(address):
            refused = None
    except pika.exceptions.ProbableAuthenticationError as exc:
        refused = re.search(r"\(403\) '.*'", str(exc.args[0])).group(0)

    def about_guest() -> list[str]:
        lines = tls.node.log.read_text().splitlines()[seen:]
        # about a login: a node under load can still be logging its boot (`Created user 'guest'`, ...) after `seen`
        return [re.sub(r"^\S+ \S+ \[\w+\] <[\d.]+> ", "", line) for line in lines
                if "'guest'" in line and "login" in line.lower()]

    if refused:
        eventually(about_guest, 10, what="the broker to log why")
    with connect("127.0.0.1") as connection:
        loopback = connection.is_open
    return GuestLogins(refused, about_guest(), loopback)


def _address() -> str:
    address = _non_loopback_ipv4()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    return address


@on_each_build
def test_guest_can_only_log_in_from_localhost(build, tls_node_of, measured):
    logins = measured(build, lambda: guest_logins(tls_node_of(build), _address()))
    assert logins.refused and logins.refused.startswith("(403) 'ACCESS_REFUSED - Login was refused"), logins
    assert any("user 'guest' can only connect via localhost" in line for line in logins.logged), logins
    assert logins.loopback


def guest_table(logins: GuestLogins) -> str:
    refused = f"`ProbableAuthenticationError: ... {logins.refused}`" if logins.refused else "logged in"
    logged = "; ".join(f"`{line}`" for line in logins.logged) or "nothing about it"
    return (
        "| `guest` connecting from | Result |\n|---|---|\n"
        f"| the machine's network address | {refused}; the broker logs {logged} |\n"
        f"| `127.0.0.1` | {'connected' if logins.loopback else 'refused'} |"
    )


def test_the_guest_table_on_the_page(tls_node_of, measured, results):
    """The builds no test of this run measured (another shard's) are measured here."""
    address = _address()
    tables = {build: guest_table(measured(build, lambda b=build: guest_logins(tls_node_of(b), address)))
              for build in RABBITMQ_BUILDS}  # fmt: skip
    results("rabbitmq/guest_login.md", by_build(tables))
