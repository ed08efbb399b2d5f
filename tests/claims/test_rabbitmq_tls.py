"""TLS on a private node of every RabbitMQ build (4.0 and 3.10): amqps only, the plaintext listener off, and the
client verifies the broker.

docs/rabbitmq/security.md shows the openssl commands and rabbitmq.conf keys; these tests run exactly those
commands (services.rabbitmq.CERT_COMMANDS), start a node with those keys, and check what the page
says about each failure. The snippet tls_connect.py runs against the same node in tests/test_snippets.py.
What each build's node did is the page's table: snippets/rabbitmq/results/tls_checks.md (`by_build`).
"""

from __future__ import annotations

import re
import ssl
import subprocess
import time
from dataclasses import dataclass

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.paths import DOCS
from services.rabbitmq import CERT_COMMANDS
from services.results import by_build

pytestmark = pytest.mark.page("rabbitmq/security.md")
on_each_build = pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)

PAGE = DOCS / "rabbitmq" / "security.md"


@pytest.fixture
def tls(build, tls_node_of):
    """The TLS node of `build` (fixtures/rabbitmq.py): the snippets' own for 4.0."""
    return tls_node_of(build)


def _params(node, context, host="localhost", server_hostname=None):
    params = pika.URLParameters(f"amqps://guest:guest@{host}:{node.ssl_port}/%2F")
    params.ssl_options = pika.SSLOptions(context, server_hostname=server_hostname or host)
    return params


@dataclass
class TlsChecks:
    """What a client saw of a build's TLS node."""

    protocols: list[str]  # the node's listeners (`rabbitmq-diagnostics listeners`)
    plain: Exception | None  # plain amqp:// to the TLS port (None: it connected)
    plain_seconds: float  # how long that took to fail
    strict: Exception | None  # the CA's certificates checked with VERIFY_X509_STRICT (None: accepted)
    mismatch: Exception | None  # server_hostname not in the certificate (None: accepted)


def _error(connect) -> Exception | None:
    try:
        with connect():
            return None
    except Exception as exc:  # what the client raised is the outcome
        return exc


def tls_checks(tls) -> TlsChecks:
    node = tls.node
    # the node's own build's CLI (a node in a Debian root is reached by that root's rabbitmq-diagnostics)
    argv, env = node.build.command("rabbitmq-diagnostics", "-q", "-n", node.name, "listeners", env=node._env())
    listeners = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    protocols = re.findall(r"protocol: ([\w/-]+)", listeners)

    started = time.monotonic()
    plain = _error(lambda: pika.BlockingConnection(  # pika's default timeouts
        pika.URLParameters(f"amqp://guest:guest@127.0.0.1:{node.ssl_port}/%2F")))  # fmt: skip
    plain_seconds = time.monotonic() - started

    strict = ssl.create_default_context(cafile=str(tls.certs.ca))
    strict.verify_flags |= ssl.VERIFY_X509_STRICT  # Python 3.13's default
    verified = ssl.create_default_context(cafile=str(tls.certs.ca))
    mismatch = _params(node, verified, host="127.0.0.1", server_hostname="rabbit.example")
    return TlsChecks(protocols, plain, plain_seconds, _error(lambda: pika.BlockingConnection(_params(node, strict))),
                     _error(lambda: pika.BlockingConnection(mismatch)))  # fmt: skip


@on_each_build
def test_the_page_shows_the_commands_and_keys_the_tests_use(tls):
    page = PAGE.read_text()
    for command in CERT_COMMANDS:
        assert command in page, f"security.md should show: {command}"
    conf = (tls.node.dir / "rabbitmq.conf").read_text()
    keys = re.findall(r"^([a-z_.]+) = ", conf, re.M)
    tls_keys = [k for k in keys if k.startswith(("listeners.", "ssl_options."))]
    assert "listeners.tcp" in tls_keys and "listeners.ssl.default" in tls_keys
    for key in tls_keys:
        assert re.search(rf"^{re.escape(key)}\s+=", page, re.M), f"security.md should show the key {key}"


@on_each_build
def test_only_the_tls_listener_is_open(build, tls, measured):
    checks = measured(build, lambda: tls_checks(tls))
    assert sorted(checks.protocols) == ["amqp/ssl", "clustering"], checks.protocols


@on_each_build
def test_plain_amqp_to_the_tls_port_fails_fast(build, tls, measured):
    checks = measured(build, lambda: tls_checks(tls))
    assert isinstance(checks.plain, pika.exceptions.AMQPConnectionError), checks.plain
    assert checks.plain_seconds < 10


@on_each_build
def test_strict_x509_verification_accepts_the_generated_certificates(build, tls, measured):
    """Python 3.13 turns on VERIFY_X509_STRICT by default: the certificates must pass it."""
    checks = measured(build, lambda: tls_checks(tls))
    assert checks.strict is None, checks.strict


@on_each_build
def test_a_name_not_in_the_certificate_is_refused(build, tls, measured):
    checks = measured(build, lambda: tls_checks(tls))
    assert isinstance(checks.mismatch, ssl.SSLCertVerificationError), checks.mismatch
    assert "Hostname mismatch" in str(checks.mismatch)


def _outcome(error: Exception | None, accepted: str = "accepted") -> str:
    if error is None:
        return accepted
    detail = getattr(error, "verify_message", None)  # ssl's reason, without its source line (_ssl.c:NNNN)
    return f"`{type(error).__name__}: ... {detail}`" if detail else f"`{type(error).__name__}`"


def tls_table(checks: TlsChecks) -> str:
    listeners = " and ".join(f"`{p}`" for p in sorted(checks.protocols))
    plaintext = ": no plaintext AMQP" if "amqp" not in checks.protocols else ""
    plain = _outcome(checks.plain, "connected")
    if type(checks.plain) is not pika.exceptions.AMQPConnectionError and isinstance(
        checks.plain, pika.exceptions.AMQPConnectionError
    ):
        plain += " (an `AMQPConnectionError`)"
    # the tests' limit, not the time: a loaded machine must not change the page
    plain += " within seconds" if checks.plain_seconds < 10 else f" after {checks.plain_seconds:.0f} s"
    return "\n".join([
        "| Check | Result |",
        "|---|---|",
        f"| listeners of the node (`rabbitmq-diagnostics listeners`) | only {listeners}{plaintext} |",
        f"| plain `amqp://` to the TLS port | {plain} |",
        f"| certificate verified with `VERIFY_X509_STRICT` (Python 3.13's default) | {_outcome(checks.strict)} |",
        f"| `server_hostname` not in the certificate | {_outcome(checks.mismatch)} |",
    ])  # fmt: skip


def test_the_table_on_the_page(tls_node_of, measured, results):
    """The builds no test of this run measured (another shard's) are measured here."""
    tables = {build: tls_table(measured(build, lambda b=build: tls_checks(tls_node_of(b))))
              for build in RABBITMQ_BUILDS}  # fmt: skip
    results("rabbitmq/tls_checks.md", by_build(tables))
