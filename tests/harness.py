"""How one snippet runs under test: its env, its setups, its imports, and nothing left behind.

`SnippetContext` is what every setup factory gets (see setups/__init__.py): the snippet's path and
env, typed fields the setups fill in as they start things, and typed access to the session's
services (each a session fixture, started on first use).
"""

from __future__ import annotations

import gc
import importlib.util
import sys
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from services.asgi_app import UvicornApp
from services.bugsink import Bugsink, Project
from services.celery_worker import BrokerSpaces, CeleryWorker, CeleryWorkers
from services.http_receiver import HttpReceiver
from services.paths import SNIPPETS
from services.rabbitmq import TlsNode, Vhost
from services.rabbitmq_node import RabbitNode
from services.redis_server import RedisServer
from services.redis_servers import Cluster, PasswordServer, Replication, TLSServer
from services.smtp import SmtpServer
from services.snippets import snippet_id
from setups import factories_for


def package_globals(path: Path) -> dict[str, Any] | None:
    """A snippet inside a package (a folder with `__init__.py`, e.g. snippets/capstone/) runs as a module of
    that package, so its relative imports (`from .config import X`) resolve; other snippets get None."""
    if not (path.parent / "__init__.py").is_file():
        return None
    package = ".".join(path.parent.relative_to(SNIPPETS).parts)
    spec = importlib.util.spec_from_file_location(f"{package}.{path.stem}", path)
    return {"__package__": package, "__spec__": spec}


@dataclass
class SnippetContext:
    """Handed to every setup factory. `env` is what the snippet sees; setups may add to it.

    The fields below `tmp_path` start empty; the setup named in each comment fills them, so a later
    setup (or an after-check) can use what an earlier one started.
    """

    path: Path
    env: dict[str, str]
    request: pytest.FixtureRequest
    tmp_path: Path
    project: Project | None = None  # fresh_project: the snippet's Bugsink project (every sentry/ snippet)
    app: UvicornApp | None = None  # served(...): the web app the snippet calls
    workers: list[CeleryWorker] = field(default_factory=list)  # worker(...): the Celery workers it sends to
    node: RabbitNode | None = None  # private_node: the session's private RabbitMQ node ...
    vhost: Vhost | None = None  # ... and the fresh vhost on it the snippet runs in
    receiver: HttpReceiver | None = None  # receiver: a local HTTP endpoint (webhooks)
    smtp: SmtpServer | None = None  # smtp_inbox: a local SMTP server

    @property
    def rel(self) -> str:
        return snippet_id(self.path)

    # -- the session's services, typed (pytest starts each on first use) ---------------------------
    def _session(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    @property
    def bugsink(self) -> Bugsink:
        return self._session("bugsink")

    @property
    def rabbit_node(self) -> RabbitNode:
        return self._session("rabbit_node")

    @property
    def rabbit_tls(self) -> TlsNode:
        return self._session("rabbit_tls")

    @property
    def broker_spaces(self) -> BrokerSpaces:
        return self._session("broker_spaces")

    @property
    def celery_workers(self) -> CeleryWorkers:
        return self._session("celery_workers")

    @property
    def logdir(self) -> Path:
        return self._session("celery_logdir")

    @property
    def redis_replication(self) -> Replication:
        return self._session("redis_replication")

    @property
    def redis_cluster(self) -> Cluster:
        return self._session("redis_cluster")

    @property
    def redis_password_server(self) -> PasswordServer:
        return self._session("redis_password_server")

    @property
    def redis_tls_server(self) -> TLSServer:
        return self._session("redis_tls_server")

    @property
    def redis_small_server(self) -> RedisServer:
        return self._session("redis_small_server")

    def redis_special(self, kind: str):
        """A special server of the snippets' build (tests/fixtures/redis.py `redis_special`), shared by the session."""
        return self._session("redis_special")(kind)

    def redis_of_build(self, name: str) -> RedisServer:
        """A private server of build `name` ("redis-8.0"), shared by the session."""
        return self._session("redis_of_build")(name)

    @contextmanager
    def setups(self):
        """Enter the snippet's setups (tests/setups/); their after-checks run on exit. For a snippet run as its
        own process (`services.snippets.run(ctx.path, env=ctx.env)`) inside."""
        with ExitStack() as stack:
            for factory in factories_for(self.rel):
                stack.enter_context(factory(self))
            yield self

    @contextmanager
    def running(self, monkeypatch: pytest.MonkeyPatch):
        """Enter the snippet's setups, then give it its env, cwd and import path; undo all afterwards."""
        before = set(sys.modules)
        with self.setups():
            for key, value in self.env.items():
                monkeypatch.setenv(key, value)
            monkeypatch.chdir(self.path.parent)
            monkeypatch.syspath_prepend(str(SNIPPETS))
            monkeypatch.syspath_prepend(str(self.path.parent))
            try:
                yield self
            finally:
                forget_snippet(before)


def forget_snippet(before: set[str]) -> None:
    """After an in-process run, while the snippet's servers are still up: drop what it leaves behind."""
    _forget_snippet_modules(before)
    _release_celery_results()


def _forget_snippet_modules(before: set[str]) -> None:
    """Snippets import each other by module name (e.g. `tasks`); never let one test see another's copy."""
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file.startswith(str(SNIPPETS)):
            del sys.modules[name]


def _release_celery_results() -> None:
    """A Celery AsyncResult unsubscribes from its result backend when it is collected. Collected in a later test,
    after its Redis had stopped, that blocked the test for 20 s (celery's 20 reconnect attempts a second apart; a
    walk's `delay()` measured 10 s late). So: collect the snippet's garbage now, while its servers are up, and cut
    every result still alive in this process from its backend (between tests none is in use; its unsubscribe
    would only reach a server about to stop). Costs a collection and a heap scan per in-process snippet."""
    if "celery.result" not in sys.modules:
        return
    from celery.result import AsyncResult

    gc.collect()
    # type(), not isinstance(): isinstance reads __class__, which a lazy proxy (Django's settings) evaluates
    for result in [o for o in gc.get_objects() if issubclass(type(o), AsyncResult)]:
        result.backend = None  # AsyncResult.__del__ does nothing then
