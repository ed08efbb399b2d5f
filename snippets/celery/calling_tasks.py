"""Tasks for the "Calling tasks" page: fast, slow, failing, and one that
reports how its message was delivered.

    celery -A calling_tasks worker --pool threads --loglevel INFO
"""

import os
import time

from celery import Celery
from kombu import Queue

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("calling_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "calling_tasks"  # its own queue, not "celery"
# The worker consumes both queues; "urgent" honours message priorities.
app.conf.task_queues = [
    Queue("calling_tasks"),
    Queue("urgent", queue_arguments={"x-max-priority": 10}),
]


@app.task
def add(x: int, y: int) -> int:
    return x + y


@app.task(track_started=True)  # report STARTED while running
def slow_add(x: int, y: int, seconds: float = 1.0) -> int:
    time.sleep(seconds)
    return x + y


@app.task
def fail(message: str) -> None:
    raise ValueError(message)


@app.task(bind=True, track_started=True)
def retry_once(self) -> str:
    time.sleep(0.3)
    if self.request.retries == 0:
        raise self.retry(countdown=1)  # try again in 1 s
    return "second attempt worked"


@app.task(bind=True)
def where(self) -> dict:
    info = self.request.delivery_info
    return {"queue": info["routing_key"], "priority": info["priority"]}
