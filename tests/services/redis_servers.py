"""The special Redis servers the pages show how to start, started from those very transcripts.

The Redis pages show how a reader starts a replica, a cluster, a password-protected, a TLS or a
small-memory server as console transcripts in `snippets/redis/servers/*.txt`. These functions read
those files and run the same commands, with three changes only: every documented port (6380, 7000, …)
becomes a free port, `--daemonize yes` / `--logfile` are dropped (the test keeps the server as its
child, so it is stopped even when a test fails), and each server gets its own temp dir.

Each takes the server build to run (services/generations.py): SNIPPET_REDIS (Redis 8.0, whose output the
snippets' `#>` lines show) unless told otherwise. A build runs its own `redis-server` / `redis-cli` (on
Valkey: `valkey-server` / `valkey-cli`, which take the same arguments) with the transcript's arguments.
`STARTERS` names them by kind and `SNIPPET_SERVERS` says which snippet needs which (and which variables
point it there), for the snippet tests and tests/claims/test_redis_builds_servers.py alike.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from .generations import SNIPPET_REDIS, Build
from .paths import SNIPPETS
from .procs import eventually, free_port_pair
from .redis_server import RedisServer
from .transcripts import PortMap, Step, cli_command, console_file, run_documented, server_args, start_documented

SERVERS = SNIPPETS / "redis" / "servers"


def transcript(name: str) -> list[Step]:
    """The steps of snippets/redis/servers/<name>."""
    return console_file(SERVERS / name)


@dataclass
class Replication:
    primary: RedisServer
    replica: RedisServer


@dataclass
class Cluster:
    nodes: list[RedisServer]
    ports: PortMap
    create_output: str

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.nodes[0].port}/0"


class PasswordServer(RedisServer):
    def __init__(self, *args, password: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.password = password

    def client(self, **kwargs) -> redis.Redis:
        return super().client(password=self.password, **kwargs)


class TLSServer(RedisServer):
    """A redis-server that only speaks TLS: readiness and client() go through rediss with the test CA."""

    @property
    def ca(self) -> Path:
        return self.dir / "tls" / "ca.crt"

    @property
    def url(self) -> str:
        return f"rediss://localhost:{self.port}/0?ssl_ca_certs={self.ca}"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, ssl=True, ssl_ca_certs=str(self.ca), socket_timeout=5,
                           **kwargs)


@contextmanager
def replication(workdir: Path, build: Build = SNIPPET_REDIS) -> Iterator[Replication]:
    """A private primary on a free port (the page's 6379) and a replica started with servers/replica.txt."""
    [step] = transcript("replica.txt")
    with ExitStack() as stack:
        # the page's primary is the reader's own 6379; ours skips the 5 s wait before the first sync
        primary = stack.enter_context(
            RedisServer(workdir, "--repl-diskless-sync-delay", "0", name="redis-primary", build=build)
        )
        replica = start_documented(workdir, "redis-replica", step, PortMap({6379: primary.port}), build=build)
        stack.callback(replica.stop)
        link = lambda: replica.client().info("replication")["master_link_status"]  # noqa: E731
        eventually(lambda: link() == "up", 15, what="replica link up")
        yield Replication(primary, replica)


@contextmanager
def cluster(workdir: Path, build: Build = SNIPPET_REDIS) -> Iterator[Cluster]:
    """Three cluster nodes and `redis-cli --cluster create`, exactly as servers/cluster.txt shows;
    stopped by servers/cluster_stop.txt, what the page tells the reader to run."""
    ports = PortMap(allocate=free_port_pair)
    nodes: list[RedisServer] = []
    try:
        for step in transcript("cluster.txt"):
            if step.argv[0] == "redis-server":
                documented = step.argv[step.argv.index("--port") + 1]
                nodes.append(start_documented(workdir, f"redis-cluster-{documented}", step, ports, build=build))
            else:
                created = run_documented(step, ports, cwd=workdir, build=build)
        assert "[OK] All 16384 slots covered." in created.stdout, created.stdout
        for node in nodes:
            eventually(lambda n=node: n.client().cluster("info")["cluster_state"] == "ok", 30, what="cluster_state:ok")
        yield Cluster(nodes, ports, created.stdout)
    finally:
        for step in transcript("cluster_stop.txt"):
            command = cli_command(ports.text(step.command), build)
            subprocess.run(["bash", "-c", command], capture_output=True, timeout=30)
        for node in nodes:
            node.stop()


@contextmanager
def password_server(workdir: Path, build: Build = SNIPPET_REDIS) -> Iterator[PasswordServer]:
    """servers/password.txt: a server with `requirepass` (its ping needs the password)."""
    [step] = transcript("password.txt")
    password = step.argv[step.argv.index("--requirepass") + 1]
    server = start_documented(
        workdir, "redis-password", step, PortMap(), cls=PasswordServer, build=build, password=password
    )
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def tls_server(workdir: Path, build: Build = SNIPPET_REDIS) -> Iterator[TLSServer]:
    """servers/tls_certs.txt (openssl, run as shown) then servers/tls_server.txt."""
    name = "redis-tls"
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    ports = PortMap()
    for step in transcript("tls_certs.txt"):
        run_documented(step, ports, cwd=folder)
    [step] = transcript("tls_server.txt")
    server = start_documented(workdir, name, step, ports, cls=TLSServer, build=build)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def small_server(workdir: Path, build: Build = SNIPPET_REDIS) -> Iterator[RedisServer]:
    """servers/small_memory.txt: maxmemory 2mb with allkeys-lru."""
    [step] = transcript("small_memory.txt")
    server = start_documented(workdir, "redis-small", step, PortMap(), build=build)
    try:
        yield server
    finally:
        server.stop()


def small_memory_flags(policy: str) -> list[str]:
    """servers/small_memory.txt's flags with another `--maxmemory-policy` and no port (the caller picks one)."""
    [step] = transcript("small_memory.txt")
    args = server_args(step.argv)
    args = args[: args.index("--port")] + args[args.index("--port") + 2 :]
    args[args.index("--maxmemory-policy") + 1] = policy
    return args


STARTERS = {"replication": replication, "cluster": cluster, "password": password_server, "tls": tls_server,
            "small": small_server}  # fmt: skip


def _replication_env(servers: Replication) -> dict[str, str]:
    return {"REDIS_URL": servers.primary.url, "REDIS_REPLICA_URL": servers.replica.url}


# snippet -> (the special server it needs, the variables that point it there)
SNIPPET_SERVERS = {
    "redis/replication.py": ("replication", _replication_env),
    "redis/cache_ttl_audit_replica.py": ("replication", _replication_env),
    "redis/cluster.py": ("cluster", lambda cluster: {"REDIS_CLUSTER_URL": cluster.url}),
    "redis/password_auth.py": (
        "password", lambda server: {"REDIS_AUTH_URL": server.url, "REDIS_PASSWORD": server.password}
    ),
    "redis/tls_connect.py": ("tls", lambda server: {"REDIS_TLS_URL": server.url}),
    "redis/eviction.py": ("small", lambda server: {"REDIS_SMALL_URL": server.url}),
}


def snippet_env(rel: str, server) -> dict[str, str]:
    """The variables that point snippet `rel` at its special server `server` (a started STARTERS server)."""
    return SNIPPET_SERVERS[rel][1](server)
