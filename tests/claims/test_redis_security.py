"""Security claims of the Redis pages, on private servers of every Redis build (Redis 8.0, Valkey 8.1, Redis 7.0).

- protected mode: with no password, a server listening on a non-loopback address refuses clients
  that come from it (DENIED), serves loopback clients, and serves everybody once protected mode is
  off, which is what the official Docker image compiles in. Measured on each build in parallel;
  table (services/results.py `by_build`): results/protected_mode.md.
- TLS: `--tls-auth-clients yes` (the default) refuses a TLS client without a certificate and accepts
  one with a certificate from the CA, on each build; the snippet tls_connect.py shows the
  server-only TLS case.
"""

from __future__ import annotations

import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from services.generations import REDIS_7_0, REDIS_8_0, REDIS_BUILDS, VALKEY_8_1, Build
from services.procs import eventually
from services.redis_servers import transcript
from services.results import by_build
from services.transcripts import PortMap, run_documented

pytestmark = pytest.mark.page("redis/security.md")

NO_RETRY = Retry(NoBackoff(), 0)  # refusals are final; do not spend redis-py's 10 default retries on them


def non_loopback_ipv4() -> str | None:
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return next((a for a in out if "." in a and not a.startswith("127.")), None)


def outcome(host: str, port: int, **kwargs) -> str:
    try:
        redis.Redis(host=host, port=port, socket_timeout=3, retry=NO_RETRY, **kwargs).ping()
    except redis.exceptions.AuthenticationError:
        return "refused: password needed"
    except redis.exceptions.ResponseError as exc:
        return f"refused: `{str(exc).split(' because')[0]}`"
    return "served"


CONFIGS = [
    ("`--protected-mode yes` (the default), no password", ["--protected-mode", "yes"]),
    ("`--protected-mode no`, no password (the Docker image's default)", ["--protected-mode", "no"]),
    ("`--protected-mode yes --requirepass ...`", ["--protected-mode", "yes", "--requirepass", "s3cret-pw"]),
]
# what a client from the machine's own network address gets, per build (a client from 127.0.0.1: served)
REMOTE = {
    REDIS_8_0: ["refused: `DENIED Redis is running in protected mode`", "served", "refused: password needed"],
    VALKEY_8_1: ["refused: `DENIED Running in protected mode`", "served", "refused: password needed"],
    REDIS_7_0: ["refused: `DENIED Redis is running in protected mode`", "served", "refused: password needed"],
}


def protected_mode_table(build: Build, ip: str, private_redis) -> str:
    rows, remote = [], []
    for i, (label, flags) in enumerate(CONFIGS):
        server = private_redis("--bind", "127.0.0.1", ip, *flags, ready=False, build=build, name=f"{build}-{i}")
        password = "s3cret-pw" if "--requirepass" in flags else None
        eventually(server.client(password=password).ping, 10, what="private server")
        remote.append(outcome(ip, server.port))
        local = outcome("127.0.0.1", server.port, password=password)
        assert local == "served", (build, label, local)
        rows.append(f"| {label} | {remote[-1]} | {local} |")
        server.stop()
    assert remote == REMOTE[build], (build, remote)
    return (
        "| Server started with | client from the machine's own network address | client from 127.0.0.1 |\n"
        "|---|---|---|\n" + "\n".join(rows)
    )


def test_protected_mode(private_redis, results):
    ip = non_loopback_ipv4()
    if ip is None:
        pytest.skip("this machine has no non-loopback IPv4 address to connect from")
    with ThreadPoolExecutor(len(REDIS_BUILDS)) as pool:  # each waits on its own servers
        tables = dict(zip(REDIS_BUILDS, pool.map(lambda b: protected_mode_table(b, ip, private_redis), REDIS_BUILDS),
                          strict=True))  # fmt: skip
    results("redis/protected_mode.md", by_build(tables))


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_tls_client_certificates_required_by_default(build, tmp_path, private_redis):
    ports = PortMap()
    for step in transcript("tls_certs.txt"):  # the CA and server cert, as the page makes them
        run_documented(step, ports, cwd=tmp_path)
    tls = tmp_path / "tls"
    for cmd in (  # a client certificate from the same CA (for mutual TLS)
        f"openssl req -newkey rsa:2048 -nodes -subj /CN=app -keyout {tls}/client.key -out {tls}/client.csr",
        f"openssl x509 -req -in {tls}/client.csr -CA {tls}/ca.crt -CAkey {tls}/ca.key -CAcreateserial -days 1 "
        f"-out {tls}/client.crt",
    ):
        subprocess.run(cmd.split(), check=True, capture_output=True)
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    tls_port = port.getsockname()[1]
    port.close()
    server = private_redis(
        "--port", "0", "--tls-port", str(tls_port), "--tls-cert-file", f"{tls}/redis.crt",
        "--tls-key-file", f"{tls}/redis.key", "--tls-ca-cert-file", f"{tls}/ca.crt", ready=False, build=build,
    )
    common = {"host": "localhost", "port": tls_port, "ssl": True, "ssl_ca_certs": f"{tls}/ca.crt", "socket_timeout": 3,
              "retry": NO_RETRY}
    with_cert = redis.Redis(**common, ssl_certfile=f"{tls}/client.crt", ssl_keyfile=f"{tls}/client.key")
    eventually(with_cert.ping, 10, what="TLS server with client auth")
    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis(**common).ping()  # no client certificate: the handshake fails
    assert server.proc.poll() is None
