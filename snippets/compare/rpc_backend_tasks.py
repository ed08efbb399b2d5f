"""A Celery app that uses RabbitMQ for both jobs: broker and result
backend (rpc://, results come back as AMQP messages).

Start a worker for it, from this folder:

    celery -A rpc_backend_tasks worker --pool threads --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

app = Celery("rpc_backend_tasks", broker=AMQP_URL, backend="rpc://")
app.conf.task_default_queue = "rpc_backend_tasks"  # not "celery"


@app.task
def add(x: int, y: int) -> int:
    return x + y
