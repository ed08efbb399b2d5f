"""A first Celery app with Redis as the broker, and Redis keeping results.

Start a worker for it, from this folder:

    celery -A tasks worker --pool threads --loglevel INFO
"""

import os

from celery import Celery

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)

app = Celery("tasks", broker=BROKER_URL, backend=REDIS_URL)
app.conf.task_default_queue = "first_app"  # its own queue, not "celery"


@app.task
def add(x: int, y: int) -> int:
    return x + y


@app.task
def count_words(text: str) -> int:
    return len(text.split())
