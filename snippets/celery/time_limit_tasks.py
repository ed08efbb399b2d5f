"""Time limits: soft raises inside the task, hard kills the process.

They need the prefork pool (the threads pool ignores them):

    celery -A time_limit_tasks worker --pool prefork --concurrency 1 \
        --loglevel INFO
"""

import os
import time

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("time_limit_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "time_limit_tasks"  # its own queue, not "celery"


@app.task(soft_time_limit=1, time_limit=10)
def render_report(seconds: float) -> str:
    try:
        time.sleep(seconds)  # the "work"
    except SoftTimeLimitExceeded:
        return "stopped at the soft limit, partial report saved"
    return "report complete"


@app.task(time_limit=1)  # hard limit only
def stuck(seconds: float) -> str:
    time.sleep(seconds)  # e.g. a network call without a timeout
    return "finished"
