"""Where `sentry_sdk.init()` runs in a Celery worker decides whether task errors are reported.

    celery -A sentry_pools worker --pool prefork --loglevel INFO

SENTRY_INIT chooses where init() runs: the signal `celeryd_init` (once, in the worker's main process,
before the pool starts), the signal `worker_process_init` (in each prefork child, after it started) or
`import` (at the top of this module, in every process that imports it); POOL_START_METHOD, if set, is
`worker_pool_start_method` (`fork`, the default, or `spawn`: each child is a fresh interpreter);
DATA_COLLECTION, if set, is the JSON of init()'s `data_collection` option.
Used by tests/claims/test_sentry_celery.py.
"""

import json
import os
import time

import sentry_sdk
from celery import Celery, signals

app = Celery("sentry_pools", broker=os.environ["AMQP_URL"], backend=os.environ["REDIS_URL"])
app.conf.task_default_queue = "sentry_pools"


def init_sentry(**kwargs):
    options = {}
    if os.environ.get("DATA_COLLECTION"):
        options["data_collection"] = json.loads(os.environ["DATA_COLLECTION"])
    sentry_sdk.init(dsn=os.environ["SENTRY_DSN"], **options)


if os.environ.get("POOL_START_METHOD"):
    app.conf.worker_pool_start_method = os.environ["POOL_START_METHOD"]
if os.environ["SENTRY_INIT"] == "import":
    init_sentry()
else:
    getattr(signals, os.environ["SENTRY_INIT"]).connect(init_sentry, weak=False)


@app.task
def fail(n):
    raise ValueError(f"task {n} failed")


@app.task
def canary():
    """Runs after the failing tasks, in the same process: is the SDK on here? Then send what is queued."""
    active = sentry_sdk.get_client().is_active()
    if active:
        sentry_sdk.capture_message("canary")
        sentry_sdk.flush(timeout=30)  # the queue is FIFO: the failures' events go first
    return active


@app.task(time_limit=1)
def hang(n):
    time.sleep(30)  # killed by the hard time limit after 1 s


@app.task
def charge(card, *, password):
    raise ValueError("card declined")
