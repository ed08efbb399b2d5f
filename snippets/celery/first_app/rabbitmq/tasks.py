"""A first Celery app: RabbitMQ carries the task messages, Redis keeps results.

Start a worker for it, from this folder:

    celery -A tasks worker --pool threads --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "first_app"  # its own queue, not "celery"


@app.task
def add(x: int, y: int) -> int:
    return x + y


@app.task
def count_words(text: str) -> int:
    return len(text.split())
