"""A private Sentinel setup of one build: a primary, a replica and three sentinels on free ports.

Ready when the replica's link is up and every sentinel knows the replica and the two other sentinels
(they find each other through the primary, every 2 s). `kill9_primary()` crashes the primary so that
the sentinels (quorum 2, down after 1 s) promote the replica; `primary_address()` asks a sentinel.
"""

from __future__ import annotations

import signal
from pathlib import Path

import redis

from .errors import ServiceUnavailable
from .generations import DEFAULT_REDIS, Build
from .procs import eventually, free_port, spawn, stop, tail
from .redis_server import RedisServer

SERVICE = "guide"  # the name the sentinels monitor the primary under


class RedisSentinels:
    def __init__(
        self,
        workdir: Path,
        build: Build | None = None,
        *,
        sentinels: int = 3,
        quorum: int = 2,
        down_after_ms: int = 1000,
    ):
        self.build = build or DEFAULT_REDIS
        self.dir = workdir / f"sentinel-{self.build.name}"
        # no 5 s wait before the replica's first sync
        self.primary = RedisServer(self.dir, "--repl-diskless-sync-delay", "0", name="primary", build=self.build)
        self.replica = RedisServer(
            self.dir, "--replicaof", "127.0.0.1", str(self.primary.port), name="replica", build=self.build
        )
        self.quorum, self.down_after_ms = quorum, down_after_ms
        self.sentinel_ports = [free_port() for _ in range(sentinels)]
        self.procs = []

    def sentinel(self, index: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.sentinel_ports[index], socket_timeout=5, decode_responses=True)

    @property
    def sentinel_addresses(self) -> list[tuple[str, int]]:
        """For redis.sentinel.Sentinel(...)."""
        return [("127.0.0.1", port) for port in self.sentinel_ports]

    def primary_address(self, index: int = 0) -> tuple[str, int]:
        host, port = self.sentinel(index).execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
        return host, int(port)

    def start(self) -> RedisSentinels:
        self.primary.start()
        self.replica.start()
        eventually(lambda: self.replica.client().info("replication")["master_link_status"] == "up",
                   timeout=30, interval=0.1, what=f"{self.build.label} replica in sync with its primary")  # fmt: skip
        for index, port in enumerate(self.sentinel_ports):
            folder = self.dir / f"sentinel-{index}"
            folder.mkdir(parents=True, exist_ok=True)
            self.procs.append(self.spawn_sentinel(index, port, folder))
        others = len(self.sentinel_ports) - 1
        for index, proc in enumerate(self.procs):

            def knows_everyone(index=index, proc=proc) -> bool:
                if proc.poll() is not None:
                    raise ServiceUnavailable(
                        self.build.service, f"sentinel on port {self.sentinel_ports[index]}",
                        f"exited:\n{tail(self.dir / f'sentinel-{index}' / 'sentinel.log')}")  # fmt: skip
                client = self.sentinel(index)
                return (len(client.execute_command("SENTINEL", "SENTINELS", SERVICE)) == others
                        and len(client.execute_command("SENTINEL", "REPLICAS", SERVICE)) == 1)  # fmt: skip

            eventually(
                knows_everyone, timeout=60, interval=0.2, what=f"{self.build.label} sentinel {index} to see the others"
            )
        return self

    def spawn_sentinel(self, index: int, port: int, folder: Path):
        """Start sentinel `index` on `port`, its log in `folder`/sentinel.log."""
        conf = folder / "sentinel.conf"  # sentinel rewrites it: one file each
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
            f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary.port} {self.quorum}\n"
            f"sentinel down-after-milliseconds {SERVICE} {self.down_after_ms}\n"
            f"sentinel failover-timeout {SERVICE} 10000\n"
        )
        return spawn(self.build.server_argv(str(conf), "--sentinel"), log=folder / "sentinel.log", cwd=folder)

    def kill9_primary(self) -> None:
        self.primary.kill9()

    def wait_failover(self, timeout: float = 60) -> tuple[str, int]:
        """The new primary's address once the sentinels have promoted the replica."""
        return eventually(lambda: (addr := self.primary_address()) and addr[1] == self.replica.port and addr,
                          timeout=timeout, interval=0.2,
                          what=f"{self.build.label} sentinels to promote the replica")  # fmt: skip

    def stop(self) -> None:
        for proc in self.procs:
            stop(proc, sig=signal.SIGTERM)
        self.replica.stop()
        self.primary.stop()

    def __enter__(self) -> RedisSentinels:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
