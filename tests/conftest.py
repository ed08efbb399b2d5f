"""Session-wide live services, isolated from anything a reader runs on this machine.

- Redis: a private redis-server on a free port (never the shared 6379).
- RabbitMQ: a throwaway vhost on the local broker (never its "/" vhost).
- Sentry: a local Bugsink server; each Sentry snippet gets a fresh project.
- Celery: real worker subprocesses, started on demand and stopped at the end.
"""

from __future__ import annotations

import logging
import os
import pkgutil
from pathlib import Path

import pytest
from harness import SNIPPETS, SnippetContext
from services.bugsink import Bugsink
from services.celery_worker import CeleryWorker
from services.rabbitmq import Vhost
from services.redis_server import RedisServer

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

# Per-tool fixtures live in tests/fixtures/<module>.py; every module there is loaded as a plugin.
pytest_plugins = sorted(f"fixtures.{m.name}" for m in pkgutil.iter_modules([str(Path(__file__).parent / "fixtures")]))


@pytest.fixture(autouse=True)
def _restore_process_globals():
    """Snippets and tests run in this process; undo the process-wide state they may change.

    An in-process Celery worker (`start_worker`) reconfigures the root logger (level ERROR), which
    silently drops the INFO records later Sentry snippets expect as breadcrumbs, and leaves Celery's
    "this thread is a worker" flag behind.
    """
    from celery._state import _set_task_join_will_block

    manager = logging.root.manager
    loggers = [logging.root, *(lg for lg in manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    saved = [(lg, lg.level, lg.disabled, lg.propagate, list(lg.handlers)) for lg in loggers]
    disabled_below = manager.disable
    yield
    logging.disable(disabled_below)
    for lg, level, disabled, propagate, handlers in saved:
        lg.setLevel(level)
        lg.disabled, lg.propagate, lg.handlers[:] = disabled, propagate, handlers
    _set_task_join_will_block(False)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def redis_server(workdir):
    with RedisServer(workdir, name="redis-snippets") as server:
        yield server


@pytest.fixture(scope="session")
def amqp_vhost():
    with Vhost() as vhost:
        yield vhost


@pytest.fixture(scope="session")
def bugsink(workdir):
    with Bugsink(workdir) as server:
        yield server


class CeleryWorkers:
    """One worker per (app module, folder, env, options), started on first use, all stopped at session end."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.running: dict[tuple, CeleryWorker] = {}

    def ensure(self, app: str, *, cwd: Path, env: dict, **options) -> CeleryWorker:
        key = (app, str(cwd), tuple(sorted(env.items())), tuple(sorted(options.items())))
        worker = self.running.get(key)
        if worker is None or worker.proc.poll() is not None:
            worker = CeleryWorker(app, cwd=cwd, env=env, logdir=self.logdir, **options).start()
            self.running[key] = worker
        return worker

    def stop_all(self) -> None:
        for worker in self.running.values():
            worker.stop()


@pytest.fixture(scope="session")
def celery_workers(workdir):
    workers = CeleryWorkers(workdir / "celery")
    try:
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def snippet_context(request, tmp_path, redis_server, amqp_vhost):
    """Build the context for one snippet: private Redis (flushed), the run's vhost, no Sentry unless asked."""

    def make(path: Path) -> SnippetContext:
        redis_server.client().flushall()  # our private server only
        env = {"REDIS_URL": redis_server.url, "AMQP_URL": amqp_vhost.url, "SENTRY_DSN": ""}
        return SnippetContext(path=path, env=env, request=request, tmp_path=tmp_path)

    return make


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds (restarts, crashes, timeouts)")


def pytest_report_header(config):
    return f"snippets: {SNIPPETS}"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """`mkdocs build --strict` of the real docs into a temp dir (shared by the site and browser tests)."""
    from sitebuild import build_site

    out = tmp_path_factory.mktemp("site")
    result = build_site(out)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out
