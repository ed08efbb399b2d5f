"""Celery snippets: real worker subprocesses run the task modules the pages show.

Every app module gets its own broker space (see tests/fixtures/celery.py), and the worker
the test starts runs the command the page shows, plus `--concurrency 2 --without-gossip
--without-mingle -n <unique name>`. Workers are session-wide (one per app, env and options); the
processes a single snippet needs (beat, Flower, a web app, an SMTP inbox) live for that snippet only.
After the snippet, checks assert what happened on the worker side (Redis keys, emails, logs).
"""

from __future__ import annotations

from contextlib import contextmanager

from harness import SNIPPETS
from services.celery_cli import CeleryProcess, http_answers
from services.procs import free_port


def isolated(app: str, *, broker: str = "rabbitmq"):
    """The snippet talks to `app`'s own vhost (and Redis db when the broker is Redis)."""

    @contextmanager
    def setup(ctx):
        ctx.env.update(ctx.fixture("celery_isolation").env(app, ctx.env, broker=broker))
        yield

    return setup


def worker(app: str, *, broker: str = "rabbitmq", key: str | None = None, **options):
    """A running `celery -A <app> worker` for the snippet (started on first use, then reused).

    `app` is the module name in the snippet's folder; `key` names the broker space (default: the
    folder and module, so two modules named `tasks` in different folders stay apart).
    """

    @contextmanager
    def setup(ctx):
        space = key or f"{ctx.path.parent.name}.{app}"
        ctx.env.update(ctx.fixture("celery_isolation").env(space, ctx.env, broker=broker))
        ctx.data.setdefault("workers", []).append(
            ctx.fixture("celery_workers").ensure(app, cwd=ctx.path.parent, env=ctx.env, **options)
        )
        yield

    return setup


CALLING = worker("calling_tasks")

def beat(app: str):
    """`celery -A <app> beat` for the duration of the snippet (cwd: a temp dir, for its schedule file)."""

    @contextmanager
    def setup(ctx):
        command = f"celery -A {app} beat --loglevel INFO"
        logdir = ctx.fixture("celery_logdir")
        with CeleryProcess(command, cwd=ctx.tmp_path, pythonpath=ctx.path.parent, env=ctx.env, logdir=logdir,
                           ready="beat: Starting...", name=f"beat-{app}"):  # fmt: skip
            yield

    return setup


ROUTING = [
    worker("routing_tasks", queues="images", extra=("-n", "images@%h")),
    worker("routing_tasks", queues="celery", extra=("-n", "default@%h")),
]

def worker_log_says(text: str):
    """After the snippet: the log of the snippet's (last) worker contains `text`."""

    @contextmanager
    def setup(ctx):
        yield
        from services.errors import wait_until

        wait_until(lambda: text in ctx.data["workers"][-1].output(), timeout=5, what=f"worker log: {text!r}")

    return setup


FLOWER = "celery -A monitoring_tasks flower --address=127.0.0.1 --port={port} --basic-auth=admin:change-me"


@contextmanager
def flower(ctx):
    """Flower, started as the Monitoring page shows (on a free port), for the snippet's duration."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with CeleryProcess(FLOWER.format(port=port), cwd=ctx.path.parent, env=ctx.env, logdir=ctx.fixture("celery_logdir"),
                       ready=lambda: http_answers(f"{url}/healthcheck"), name="flower"):  # fmt: skip
        ctx.env["FLOWER_URL"] = url
        yield


@contextmanager
def signup_stack(ctx):
    """SMTP inbox + email worker + the FastAPI app; afterwards the inbox must hold the welcome email."""
    from services.asgi_app import UvicornApp
    from services.smtp import SmtpServer

    with SmtpServer() as smtp:
        ctx.env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
        with worker("email_tasks")(ctx), UvicornApp(
            "fastapi_signup:api", cwd=ctx.path.parent, env=ctx.env, logdir=ctx.fixture("celery_logdir")
        ) as web:
            ctx.env["APP_URL"] = web.url
            yield
        [message] = smtp.wait_for(1)
        assert (message["To"], message["Subject"]) == ("ada@example.com", "Welcome aboard")
        assert message.get_content().strip() == "Thanks for signing up."
        assert len(smtp.messages) == 1  # the invalid signup queued nothing


@contextmanager
def django_project(ctx):
    """Snippets under django_site/: the project folder on sys.path (as `manage.py` would have it)."""
    import sys

    import celery  # noqa: F401 - the real package, before proj/celery.py's folder is on sys.path

    site = str(SNIPPETS / "celery" / "django_site")
    ctx.env["DJANGO_SETTINGS_MODULE"] = "proj.settings"
    sys.path.insert(0, site)
    try:
        yield
    finally:
        sys.path.remove(site)


MONITORING = worker("monitoring_tasks", extra=("-E",))

SETUPS = {
    "celery/first_app/rabbitmq/call.py": [worker("tasks")],
    "celery/first_app/redis/call.py": [worker("tasks", broker="redis")],
    "celery/calling_delay_vs_apply_async.py": [CALLING],
    "celery/calling_countdown_eta_expires.py": [CALLING],
    "celery/calling_states.py": [CALLING],
    "celery/calling_pending_unknown.py": [CALLING],
    "celery/calling_bad_input.py": [CALLING],
    "celery/retry_manual.py": [worker("retry_tasks")],
    "celery/retry_autoretry_backoff.py": [worker("retry_tasks")],
    "celery/canvas_chain.py": [worker("canvas_tasks")],
    "celery/canvas_group.py": [worker("canvas_tasks")],
    "celery/canvas_chord.py": [worker("canvas_tasks")],
    "celery/canvas_chain_error.py": [worker("canvas_tasks")],
    "celery/routing_who_ran_what.py": ROUTING,
    "celery/workers_inspect.py": ROUTING,
    "celery/workers_control.py": ROUTING,
    "celery/reliable_idempotent.py": [worker("reliable_tasks")],
    "celery/serialization_json_types.py": [worker("serialization_tasks")],
    "celery/serialization_pickle_refused.py": [
        worker("serialization_tasks"),
        worker_log_says("Refusing to deserialize untrusted content of type pickle"),
    ],
    "celery/events_receiver.py": [MONITORING],
    "celery/flower_api.py": [MONITORING, flower],
    "celery/fastapi_signup_client.py": [signup_stack],
    "celery/django_site/": [django_project],
    "celery/django_site/django_call.py": [worker("proj")],
    "celery/flask_client.py": [worker("flask_app.celery_app", key="celery.flask_app")],
    "celery/testing_eager_misleads.py": [isolated("celery.testing")],
    "celery/testing_start_worker.py": [isolated("celery.testing")],
    "celery/pitfall_get_inside_task.py": [worker("testing_tasks")],
    "celery/pitfall_result_expiry.py": [CALLING],
    "celery/periodic_ticks.py": [worker("periodic_tasks"), beat("periodic_tasks")],
    "celery/time_limits.py": [worker("time_limit_tasks", pool="prefork", concurrency=1)],
}
