"""Routing: image work goes to its own queue, served by its own worker.

Two workers, from this folder (%h is replaced by the machine's hostname):

    celery -A routing_tasks worker --pool threads --concurrency 2 \
        -Q images -n images@%h --loglevel INFO
    celery -A routing_tasks worker --pool threads --concurrency 2 \
        -Q routing_tasks -n default@%h --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("routing_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "routing_tasks"  # its own queue, not "celery"
app.conf.task_routes = {
    "routing_tasks.resize_image": {"queue": "images"},
    # everything else: the default queue, here "routing_tasks"
}
app.conf.worker_prefetch_multiplier = 1  # reserve 1 message per process


@app.task(bind=True)
def resize_image(self, name: str) -> str:
    worker = self.request.hostname.split("@")[0]  # "images@host" -> images
    return f"{name} resized by {worker}"


@app.task(bind=True)
def send_receipt(self, order: int) -> str:
    worker = self.request.hostname.split("@")[0]
    return f"receipt {order} sent by {worker}"
