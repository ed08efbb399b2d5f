"""Tasks for the claims of docs/sentry/celery.md: autoretry, `throws`, and a swallowed error.

    celery -A claims_tasks worker --pool threads --loglevel INFO

Used by tests/claims/test_sentry_celery.py.
"""

import os

import sentry_sdk
from celery import Celery, signals

app = Celery("claims_tasks", broker=os.environ["AMQP_URL"], backend=os.environ["REDIS_URL"])
app.conf.task_default_queue = "claims_tasks"


@signals.celeryd_init.connect
def init_sentry(**kwargs):
    sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])


@app.task(autoretry_for=(ConnectionError,), max_retries=2, default_retry_delay=0.1)
def auto(n):
    raise ConnectionError(f"autoretry gave up {n}")


@app.task(throws=(KeyError,))
def expected(n):
    raise KeyError("expected failure")


@app.task
def swallowed(n):
    try:
        raise ValueError("nobody will know")
    except ValueError:
        return "handled"
