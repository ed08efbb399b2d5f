"""One Celery app for either broker: CELERY_BROKER_URL picks RabbitMQ
(the default here) or Redis. Tasks are acknowledged after they ran.

Start a worker for it, from this folder:

    celery -A celery_broker_app worker --pool threads --loglevel INFO

With Redis as the broker, set CELERY_BROKER_URL=redis://localhost:6379/0
in the worker's (and the caller's) environment first.
"""

import os
import time

import redis
from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
BROKER_URL = os.environ.get("CELERY_BROKER_URL", AMQP_URL)

app = Celery("celery_broker_app", broker=BROKER_URL, backend=REDIS_URL)
app.conf.task_default_queue = "celery_broker_app"  # not "celery"
# ack after the task ran: a worker that dies mid-task means a re-run
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
# Redis broker only (RabbitMQ ignores it): a task not acked within this
# many seconds goes back to the queue. Keep it above your longest task
# and your longest countdown/eta. Celery's default is 1 hour.
app.conf.broker_transport_options = {"visibility_timeout": 2 * 3600}

counter = redis.Redis.from_url(REDIS_URL)


@app.task
def build_report(report_id: int, seconds: float) -> str:
    counter.incr(f"report:{report_id}:runs")  # how often it really ran
    time.sleep(seconds)  # the slow part
    return f"report {report_id} built"
