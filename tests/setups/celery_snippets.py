"""Celery snippets: a real worker (subprocess) runs the tasks module the page shows."""

from __future__ import annotations

from contextlib import contextmanager


def worker(app: str, **options):
    """Make sure a worker for `app` (a module in the snippet's folder) is running with the snippet's env."""

    @contextmanager
    def setup(ctx):
        ctx.data["worker"] = ctx.fixture("celery_workers").ensure(app, cwd=ctx.path.parent, env=ctx.env, **options)
        yield

    return setup


SETUPS = {
    "celery/call_task.py": [worker("tasks")],
}
