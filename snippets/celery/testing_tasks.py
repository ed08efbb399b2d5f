"""Tasks to test: one is fine, one waits for another task (a bug).

    celery -A testing_tasks worker --pool threads --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("testing_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "testing_tasks"  # its own queue, not "celery"


@app.task
def add(x: int, y: int) -> int:
    return x + y


@app.task
def sum_of_sums(pairs: list[list[int]]) -> int:
    # The bug: waiting for other tasks inside a task can deadlock a
    # busy worker. (Use a chord instead.)
    return sum(add.delay(x, y).get(timeout=10) for x, y in pairs)
