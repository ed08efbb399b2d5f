"""TLS on a private node: amqps only, the plaintext listener off, and the client verifies the broker.

docs/rabbitmq/security.md shows the openssl commands and rabbitmq.conf keys; these tests run exactly those
commands (services.rabbitmq.CERT_COMMANDS), start a node with those keys, and check what the page
says about each failure. The snippet tls_connect.py runs against the same node in tests/test_snippets.py.
"""

from __future__ import annotations

import re
import ssl
import subprocess
import time

import pika
import pytest
from services.paths import DOCS
from services.rabbitmq import CERT_COMMANDS

pytestmark = pytest.mark.page("rabbitmq/security.md")

PAGE = DOCS / "rabbitmq" / "security.md"


def _params(node, context, host="localhost", server_hostname=None):
    params = pika.URLParameters(f"amqps://guest:guest@{host}:{node.ssl_port}/%2F")
    params.ssl_options = pika.SSLOptions(context, server_hostname=server_hostname or host)
    return params


def test_the_page_shows_the_commands_and_keys_the_tests_use(rabbit_tls):
    page = PAGE.read_text()
    for command in CERT_COMMANDS:
        assert command in page, f"security.md should show: {command}"
    conf = (rabbit_tls.node.dir / "rabbitmq.conf").read_text()
    keys = re.findall(r"^([a-z_.]+) = ", conf, re.M)
    tls_keys = [k for k in keys if k.startswith(("listeners.", "ssl_options."))]
    assert "listeners.tcp" in tls_keys and "listeners.ssl.default" in tls_keys
    for key in tls_keys:
        assert re.search(rf"^{re.escape(key)}\s+=", page, re.M), f"security.md should show the key {key}"


def test_only_the_tls_listener_is_open(rabbit_tls):
    node = rabbit_tls.node
    listeners = subprocess.run(
        ["rabbitmq-diagnostics", "-q", "-n", node.name, "listeners"], env=node._env(),
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    protocols = re.findall(r"protocol: ([\w/-]+)", listeners)
    assert sorted(protocols) == ["amqp/ssl", "clustering"], listeners


def test_plain_amqp_to_the_tls_port_fails_fast(rabbit_tls):
    params = pika.URLParameters(f"amqp://guest:guest@127.0.0.1:{rabbit_tls.node.ssl_port}/%2F")
    started = time.monotonic()
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        pika.BlockingConnection(params)  # pika's default timeouts
    assert time.monotonic() - started < 10


def test_strict_x509_verification_accepts_the_generated_certificates(rabbit_tls):
    """Python 3.13 turns on VERIFY_X509_STRICT by default: the certificates must pass it."""
    context = ssl.create_default_context(cafile=str(rabbit_tls.certs.ca))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    with pika.BlockingConnection(_params(rabbit_tls.node, context)) as connection:
        assert connection.is_open


def test_a_name_not_in_the_certificate_is_refused(rabbit_tls):
    context = ssl.create_default_context(cafile=str(rabbit_tls.certs.ca))
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        pika.BlockingConnection(_params(rabbit_tls.node, context, host="127.0.0.1", server_hostname="rabbit.example"))
