"""JSON in, JSON out, and no other content type accepted.

    celery -A serialization_tasks worker --pool threads --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("serialization_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "serialization_tasks"  # not "celery"
app.conf.update(  # Celery's defaults since 4.0, spelled out
    task_serializer="json",  # how calls are encoded
    result_serializer="json",  # how results are encoded
    accept_content=["json"],  # what the worker agrees to decode
    result_accept_content=["json"],  # what clients agree to decode
)


@app.task
def describe(value: object) -> str:
    """What arrived in the worker, after the round trip."""
    return f"{type(value).__name__} {value}"
