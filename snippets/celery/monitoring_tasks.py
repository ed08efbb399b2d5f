"""An app whose workers report what they do, as events.

    celery -A monitoring_tasks worker --pool threads -E --loglevel INFO

-E (--task-events) makes the worker send task events; Flower and
`celery events` read them.
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("monitoring_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "monitoring_tasks"  # its own queue, not "celery"
app.conf.task_send_sent_event = True  # the caller reports "task-sent" too


@app.task
def add(x: int, y: int) -> int:
    return x + y
