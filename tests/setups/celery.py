"""Celery snippets (and the Celery snippets of the Redis vs RabbitMQ page): real worker processes run the
task modules the pages show, started from the command in each module's docstring (see setups/common.worker).

Workers are session-wide (one per app and env); the processes a single snippet needs (beat, Flower,
a web app, an SMTP inbox) live for that snippet only. Checks afterwards look at the worker side
(emails, logs).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

from services import celery_cli
from services.paths import DOCS, SNIPPETS
from services.transcripts import page_commands

from setups.common import afterwards, broker_space, env_from, served, smtp_inbox, worker, worker_log_says

if TYPE_CHECKING:
    from harness import SnippetContext


def beat(module: str):
    """`celery -A <app> beat` as `module`'s docstring shows it, for the duration of the snippet."""

    @contextmanager
    def setup(ctx: SnippetContext):
        [command] = celery_cli.module_commands(ctx.path.parent / module, "beat")
        rundir = ctx.tmp_path / "beat"
        with celery_cli.beat(command, folder=ctx.path.parent, rundir=rundir, env=ctx.env, logdir=ctx.logdir):
            yield

    return setup


@contextmanager
def flower(ctx: SnippetContext):
    """Flower, started as the Monitoring page's console block shows it (on a free port), for the snippet's duration."""
    [command] = [c for c in page_commands(DOCS / "celery" / "monitoring.md", "celery") if " flower " in c]
    with celery_cli.flower(command, folder=ctx.path.parent, env=ctx.env, logdir=ctx.logdir) as process:
        ctx.env["FLOWER_URL"] = process.url
        yield


def _welcome_email_sent(ctx: SnippetContext) -> None:
    [message] = ctx.smtp.wait_for(1)
    assert (message["To"], message["Subject"]) == ("ada@example.com", "Welcome aboard")
    assert message.get_content().strip() == "Thanks for signing up."
    assert len(ctx.smtp.messages) == 1  # the invalid signup queued nothing


def _no_worker_errors(ctx: SnippetContext) -> None:
    log = ctx.workers[-1].output()
    assert "ERROR" not in log, log[-3000:]


@contextmanager
def django_project(ctx: SnippetContext):
    """Snippets under django_site/: the project folder on sys.path (as `manage.py` would have it)."""
    import celery  # noqa: F401 - the real package, before proj/celery.py's folder is on sys.path

    site = str(SNIPPETS / "celery" / "django_site")
    ctx.env["DJANGO_SETTINGS_MODULE"] = "proj.settings"
    sys.path.insert(0, site)
    try:
        yield
    finally:
        sys.path.remove(site)


CALLING = worker("calling_tasks.py")
ROUTING = worker("routing_tasks.py")  # its docstring shows two workers: queue "images" and queue "routing_tasks"

SETUPS = {
    "celery/first_app/rabbitmq/call.py": [worker("tasks.py")],
    "celery/first_app/redis/call.py": [worker("tasks.py", broker="redis")],
    "celery/calling_delay_vs_apply_async.py": [CALLING],
    "celery/calling_countdown_eta_expires.py": [CALLING],
    "celery/calling_states.py": [CALLING],
    "celery/calling_pending_unknown.py": [CALLING],
    "celery/calling_bad_input.py": [CALLING],
    "celery/retry_manual.py": [worker("retry_tasks.py")],
    "celery/retry_autoretry_backoff.py": [worker("retry_tasks.py")],
    "celery/canvas_chain.py": [worker("canvas_tasks.py")],
    "celery/canvas_group.py": [worker("canvas_tasks.py")],
    "celery/canvas_chord.py": [worker("canvas_tasks.py")],
    "celery/canvas_chain_error.py": [worker("canvas_tasks.py")],
    "celery/canvas_chord_error.py": [worker("canvas_tasks.py")],
    "celery/routing_who_ran_what.py": [ROUTING],
    "celery/workers_inspect.py": [ROUTING],
    # workers of their own: its countdown task (revoked) raises the worker's prefetch_count by one until it is
    # due, 3 s later, and workers_inspect.py (sorted after it) prints the prefetch count
    "celery/workers_control.py": [worker("routing_tasks.py", space="celery.routing_control")],
    "celery/reliable_idempotent.py": [worker("reliable_tasks.py")],
    "celery/serialization_json_types.py": [worker("serialization_tasks.py")],
    "celery/serialization_pickle_refused.py": [
        worker("serialization_tasks.py"),
        worker_log_says("Refusing to deserialize untrusted content of type pickle"),
    ],
    "celery/events_receiver.py": [worker("monitoring_tasks.py")],
    "celery/flower_api.py": [worker("monitoring_tasks.py"), flower],
    "celery/fastapi_signup_client.py": [
        smtp_inbox,
        env_from(lambda ctx: {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(ctx.smtp.port)}),
        worker("email_tasks.py"),
        served("fastapi_signup:api"),
        afterwards(_welcome_email_sent),
    ],
    "celery/django_site/": [django_project],
    "celery/django_site/django_call.py": [worker("proj/celery.py", space="celery.proj")],
    "celery/flask_client.py": [worker("flask_app.py")],
    "celery/testing_eager_misleads.py": [broker_space("celery.testing")],
    "celery/testing_start_worker.py": [broker_space("celery.testing")],
    "celery/pitfall_get_inside_task.py": [worker("testing_tasks.py")],
    "celery/pitfall_result_expiry.py": [CALLING],
    "celery/periodic_ticks.py": [worker("periodic_tasks.py"), beat("periodic_tasks.py")],
    "celery/time_limits.py": [worker("time_limit_tasks.py")],
    "compare/celery_broker_call.py": [worker("celery_broker_app.py"), afterwards(_no_worker_errors)],
    "compare/rpc_backend_call.py": [worker("rpc_backend_tasks.py"), afterwards(_no_worker_errors)],
}
