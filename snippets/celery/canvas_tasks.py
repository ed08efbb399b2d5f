"""Small tasks to compose with chain, group and chord.

    celery -A canvas_tasks worker --pool threads --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("canvas_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "canvas_tasks"  # its own queue, not "celery"


@app.task
def add(x: int, y: int) -> int:
    return x + y


@app.task
def mul(x: int, y: int) -> int:
    return x * y


@app.task
def total(numbers: list[int]) -> int:
    return sum(numbers)


@app.task
def check_positive(x: int) -> int:
    if x <= 0:
        raise ValueError(f"{x} is not positive")
    return x
