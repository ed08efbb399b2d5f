"""Redis vs RabbitMQ page: the Celery workers its snippets call, each app in a vhost of its own."""

from __future__ import annotations

from contextlib import contextmanager


def worker(app: str):
    """A worker for `app` (a module in snippets/compare/), on a vhost only this app uses."""

    @contextmanager
    def setup(ctx):
        ctx.env["AMQP_URL"] = ctx.fixture("compare_vhosts")(app).url
        ctx.data["worker"] = ctx.fixture("celery_workers").ensure(app, cwd=ctx.path.parent, env=ctx.env)
        yield
        assert "ERROR" not in ctx.data["worker"].output(), ctx.data["worker"].output()[-3000:]

    return setup


SETUPS = {
    "compare/celery_broker_call.py": [worker("celery_broker_app")],
    "compare/rpc_backend_call.py": [worker("rpc_backend_tasks")],
}
