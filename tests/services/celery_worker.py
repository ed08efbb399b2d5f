"""Real `celery worker` processes, started from the command the page shows and always stopped, and the broker
space (a vhost, a Redis db) each Celery app gets.

Threads pool and heartbeats on, as the pages show them: `-P solo` or `--without-heartbeat` stall for
10-170 s on RabbitMQ.
"""

from __future__ import annotations

import signal
from pathlib import Path

from .celery_cli import CeleryProcess, as_tested, module_commands
from .procs import stop, stop_all
from .rabbitmq import Vhost
from .rabbitmq_node import RabbitNode


class CeleryWorker(CeleryProcess):
    """`command` is a worker command as a page shows it (`celery -A calling_tasks worker --pool threads ...`);
    it runs in `cwd` with `env`, after `as_tested` applied the test-only changes and the claim's own `changes`."""

    def __init__(self, command: str, *, cwd: Path, env: dict, logdir: Path, pythonpath: Path | None = None,
                 **changes: str):
        argv = as_tested(command, **changes)
        self.app, self.hostname = argv[2], argv[argv.index("--hostname") + 1]
        super().__init__(argv, cwd=cwd, env=env, logdir=logdir, ready=" ready.", pythonpath=pythonpath,
                         name=f"worker-{self.hostname.split('@')[0]}")

    @classmethod
    def of(cls, module: Path, *, env: dict, logdir: Path, cwd: Path | None = None, **changes: str) -> CeleryWorker:
        """The (first) worker command of `module`'s docstring, from the module's folder unless `cwd` says otherwise."""
        [command, *_] = module_commands(module)
        return cls(command, cwd=cwd or module.parent, env=env, logdir=logdir, **changes)

    def kill9(self) -> None:
        if self.proc:
            stop(self.proc, sig=signal.SIGKILL)


class CeleryWorkers:
    """Session-wide workers: one per (command, folder, env, changes), started on first use, all stopped at the end."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.running: dict[tuple, CeleryWorker] = {}

    def ensure(self, command: str, *, cwd: Path, env: dict, **changes: str) -> CeleryWorker:
        key = (command, str(cwd), tuple(sorted(env.items())), tuple(sorted(changes.items())))
        worker = self.running.get(key)
        if worker is None or worker.proc.poll() is not None:
            worker = CeleryWorker(command, cwd=cwd, env=env, logdir=self.logdir, **changes).start()
            self.running[key] = worker
        return worker

    def stop_all(self) -> None:
        """All at once: a warm shutdown takes ~2 s per worker."""
        stop_all(worker.proc for worker in self.running.values())
        self.running.clear()


class BrokerSpaces:
    """Every Celery app gets a broker of its own, so workers never take each other's tasks.

    All apps use Celery's default queue name ("celery"). Two apps consuming the same queue steal each
    other's messages (the worker of app A drops a task of app B as "unregistered"), so each app (a
    "space") gets a vhost of its own and, for the Redis-broker apps, a Redis database number of its
    own on the private redis-server. Readers see none of this: their URLs come from the env vars.

    The vhosts live on `node`, the session's broker node (fixtures/rabbitmq.py `broker_node`: RabbitMQ
    4.0 with its management API, a vhost in ~20 ms), which no test restarts or kills: the session's
    workers never lose their broker mid-test. `close()` deletes the vhosts; the node belongs to its fixture.
    """

    def __init__(self, redis_url: str, node: RabbitNode):
        self.redis_url = redis_url  # redis://127.0.0.1:PORT/0
        self.node = node
        self.vhosts: dict[str, Vhost] = {}  # space -> its vhost
        self.redis_dbs: dict[str, int] = {}

    def amqp_url(self, space: str) -> str:
        if space not in self.vhosts:
            self.vhosts[space] = self.node.vhost(f"celery-{space.replace('/', '-')}").create()
        return self.vhosts[space].url

    def redis_broker_url(self, space: str) -> str:
        """A Redis database (1..15) of the private server for one app's broker traffic."""
        if space not in self.redis_dbs:
            self.redis_dbs[space] = len(self.redis_dbs) + 1
            assert self.redis_dbs[space] < 16, "more Redis-broker apps than Redis databases"
        return self.redis_url.rsplit("/", 1)[0] + f"/{self.redis_dbs[space]}"

    def env(self, space: str, base: dict, *, broker: str = "rabbitmq") -> dict:
        """`base` (REDIS_URL, AMQP_URL, ...) with this space's own broker."""
        env = {**base, "AMQP_URL": self.amqp_url(space)}
        if broker == "redis":
            env["CELERY_BROKER_URL"] = self.redis_broker_url(space)
        return env

    def close(self) -> None:
        for vhost in self.vhosts.values():
            vhost.delete()
        self.vhosts.clear()
