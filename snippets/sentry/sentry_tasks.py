"""Celery tasks whose failures reach Sentry. Start a worker from this folder:

    celery -A sentry_tasks worker --pool threads --loglevel INFO
"""

import os

import sentry_sdk
from celery import Celery, signals

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

app = Celery("sentry_tasks", broker=AMQP_URL, backend=REDIS_URL)
# its own queue: other apps' workers on the same broker never take these
app.conf.task_default_queue = "sentry_tasks"


@signals.celeryd_init.connect
def init_sentry(**kwargs):
    # runs in the worker before it takes tasks; Celery is detected.
    # environment = the deployment stage, the same as the web app's;
    # the process role is a tag on every event of this process
    sentry_sdk.init(dsn=SENTRY_DSN, environment="development")
    sentry_sdk.get_global_scope().set_tag("component", "worker")


@app.task
def charge_card(order_id: int) -> None:
    raise ValueError(f"card declined for order {order_id}")


@app.task(bind=True, max_retries=2, default_retry_delay=0.2)
def sync_inventory(self, sku: str) -> None:
    try:
        raise ConnectionError("warehouse API timed out")
    except ConnectionError as exc:
        raise self.retry(exc=exc) from exc  # after 2 retries: exc itself


@app.task(bind=True, max_retries=3, default_retry_delay=0.2)
def fetch_rates(self, fail_times: int) -> str:
    if self.request.retries < fail_times:
        raise self.retry(exc=ConnectionError("rates API busy"))
    return f"rates fetched after {self.request.retries} retries"
