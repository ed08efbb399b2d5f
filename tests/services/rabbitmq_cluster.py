"""Three private RabbitMQ nodes of one build joined into a cluster, for the high-availability claims.

The nodes boot side by side, then each but the first runs `rabbitmqctl stop_app`, `join_cluster
<first>`, `start_app`, as the RabbitMQ clustering guide shows. `kill9(i)` crashes one node by pid (no
shutdown), `restart(i)` boots it again on its own data dir, where it rejoins the cluster by itself.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from .generations import DEFAULT_RABBITMQ, Build, ensure_epmd
from .procs import eventually
from .rabbitmq_node import RabbitNode


class RabbitCluster:
    def __init__(self, build: Build | None = None, *, size: int = 3, management: bool = False, conf: str = ""):
        self.build = build or DEFAULT_RABBITMQ
        self.nodes = [RabbitNode(build=self.build, management=management, conf=conf) for _ in range(size)]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def start(self) -> RabbitCluster:
        ensure_epmd(self.build)  # before the threads: one epmd for all
        self._each(lambda node: node.start())
        first = self.nodes[0]
        for node in self.nodes[1:]:
            node.stop_app()
            node.ctl("join_cluster", first.name)
            node.start_app()
        self.wait_running(len(self.nodes))
        return self

    def running_nodes(self, via: int = 0) -> list[str]:
        """The cluster's running nodes as node `via` sees them (`rabbitmqctl cluster_status`)."""
        return sorted(json.loads(self.nodes[via].ctl("cluster_status", "--formatter", "json"))["running_nodes"])

    def wait_running(self, count: int, *, via: int = 0, timeout: float = 90) -> list[str]:
        return eventually(lambda: (nodes := self.running_nodes(via)) and len(nodes) == count and nodes,
                          timeout=timeout, interval=0.5,
                          what=f"{count} running nodes in the {self.build.label} cluster")  # fmt: skip

    def kill9(self, index: int) -> RabbitNode:
        """Crash node `index` (SIGKILL to its pid), then wait until the others see it gone."""
        node = self.nodes[index]
        node.kill9()
        survivor = next(i for i in range(len(self.nodes)) if i != index)
        self.wait_running(len(self.nodes) - 1, via=survivor)
        return node

    def restart(self, index: int) -> RabbitNode:
        """Boot node `index` again (after kill9): it rejoins from its own data dir."""
        node = self.nodes[index].start()
        self.wait_running(len(self.nodes), via=index)
        return node

    def stop(self) -> None:
        self._each(lambda node: node.stop())

    def _each(self, action) -> None:
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            for future in [pool.submit(action, node) for node in self.nodes]:
                future.result()

    def __enter__(self) -> RabbitCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
