"""The setup vocabulary every tool shares. Each name returns (or is) a setup: `setup(ctx)` -> context manager.

Before the snippet:
- `with_env(NAME="value")`: fixed variables for the snippet (and for apps a later setup serves).
- `env_from(lambda ctx: {...})`: variables from a session service, e.g. a special server's URL.
- `worker("calling_tasks.py")`: the Celery worker(s) a module's docstring shows how to start, on a
  broker space of their own; `ctx.workers`.
- `served("fastapi_app:app", env=lambda ctx: {...})`: a uvicorn app from the snippet's folder; `ctx.app`,
  and its URL in `APP_URL` (or `url_env`).
- `smtp_inbox` (`ctx.smtp`), `receiver` (`ctx.receiver`): local stand-ins for a mail server and webhooks.
After the snippet:
- `afterwards(check, timeout=0)`: `check(ctx)` must pass, retried until `timeout` (`eventually`): for
  what another process (an app, a worker) does a moment later.
- `worker_log_says(text)`: the snippet's worker logged `text`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING

from services.asgi_app import UvicornApp
from services.celery_cli import module_commands
from services.celery_worker import CeleryWorker
from services.http_receiver import HttpReceiver
from services.procs import eventually, tail
from services.smtp import SmtpServer

if TYPE_CHECKING:
    from harness import SnippetContext

Check = Callable[["SnippetContext"], object]


def with_env(**values: str):
    @contextmanager
    def setup(ctx: SnippetContext):
        ctx.env.update(values)
        yield

    return setup


def env_from(make: Callable[[SnippetContext], dict[str, str]]):
    @contextmanager
    def setup(ctx: SnippetContext):
        ctx.env.update(make(ctx))
        yield

    return setup


def broker_space(space: str, *, broker: str = "rabbitmq"):
    """The snippet talks to the broker space `space` (a vhost of its own, and a Redis db when the broker is Redis)."""

    @contextmanager
    def setup(ctx: SnippetContext):
        ctx.env.update(ctx.broker_spaces.env(space, ctx.env, broker=broker))
        yield

    return setup


def worker(module: str, *, space: str | None = None, broker: str = "rabbitmq", per_snippet: bool = False):
    """Every worker command the docstring of `module` (a file in the snippet's folder) shows, as the page shows it.

    The snippet and its workers share a broker space: `space`, default "<folder>.<module>" (so two
    modules named tasks.py in two folders stay apart). Workers are started on first use and shared by
    the snippets of the same app, unless `per_snippet` (e.g. a worker that reports to the snippet's
    own Sentry project must not outlive it).
    """

    @contextmanager
    def setup(ctx: SnippetContext):
        path = ctx.path.parent / module
        name = space or f"{ctx.path.parent.name}.{path.stem}"
        ctx.env.update(ctx.broker_spaces.env(name, ctx.env, broker=broker))
        commands = module_commands(path)
        assert commands, f"{path} shows no `celery -A ... worker` command in its docstring"
        if per_snippet:
            with CeleryWorker(commands[0], cwd=ctx.path.parent, env=ctx.env, logdir=ctx.tmp_path) as started:
                ctx.workers.append(started)
                yield
        else:
            ctx.workers += [ctx.celery_workers.ensure(c, cwd=ctx.path.parent, env=ctx.env) for c in commands]
            yield

    return setup


def served(target: str, *, url_env: str = "APP_URL", env: Callable[[SnippetContext], dict[str, str]] | None = None):
    """Serve `module:app` from the snippet's folder with uvicorn, with the snippet's env plus `env(ctx)`."""

    @contextmanager
    def setup(ctx: SnippetContext):
        app_env = {**ctx.env, **(env(ctx) if env else {})}
        with UvicornApp(target, cwd=ctx.path.parent, env=app_env, logdir=ctx.tmp_path) as app:
            ctx.app = app
            ctx.env[url_env] = app.url
            yield

    return setup


@contextmanager
def smtp_inbox(ctx: SnippetContext):
    with SmtpServer() as smtp:
        ctx.smtp = smtp
        yield


@contextmanager
def receiver(ctx: SnippetContext):
    """A local HTTP endpoint standing in for Slack, Discord and Twilio."""
    with HttpReceiver() as rec:
        ctx.receiver = rec
        yield


def afterwards(check: Check, timeout: float = 0.0):
    """After the snippet, `check(ctx)` must pass (retried for `timeout` s). A failure shows the values the
    check compared, then the log tails of the snippet's app and workers."""

    @contextmanager
    def setup(ctx: SnippetContext):
        yield
        try:
            eventually(lambda: check(ctx), timeout)
        except Exception as exc:
            if logs := process_logs(ctx):
                exc.add_note(logs)
            raise

    return setup


def worker_log_says(text: str):
    def check(ctx: SnippetContext) -> None:
        assert text in ctx.workers[-1].output(), f"the worker did not log {text!r}"

    return afterwards(check, timeout=5)


def process_logs(ctx: SnippetContext) -> str:
    """The tail of the app's and the workers' logs, for a failure message."""
    logs = ([ctx.app.log] if ctx.app else []) + [w.log for w in ctx.workers]
    return "".join(f"--- {log.name}:\n{tail(log)}\n" for log in logs)
