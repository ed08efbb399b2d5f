"""A task that survives a worker crash, and is safe to run twice.

    celery -A reliable_tasks worker --pool threads --loglevel INFO

The broker is RabbitMQ unless CELERY_BROKER_URL names another one (e.g.
redis://localhost:6379/0): the settings below are the same for both.
"""

import os
import time

import redis
from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
BROKER_URL = os.environ.get("CELERY_BROKER_URL", AMQP_URL)

app = Celery("reliable_tasks", broker=BROKER_URL, backend=REDIS_URL)
app.conf.update(
    task_default_queue="reliable_tasks",  # its own queue, not "celery"
    task_acks_late=True,  # acknowledge after the task ran, not on receipt
    task_reject_on_worker_lost=True,  # its process died: back to the queue
    worker_prefetch_multiplier=1,  # hold no more than it runs
    # Redis broker only: a task not acknowledged within this many seconds
    # is given to a worker again. Keep it above your longest task and your
    # longest countdown/eta. (RabbitMQ notices a lost worker by itself.)
    broker_transport_options={"visibility_timeout": 2 * 60 * 60},
)
store = redis.Redis.from_url(REDIS_URL, decode_responses=True)


@app.task
def ship_order(order_id: int, seconds: float = 0.0) -> str:
    store.incr(f"order:{order_id}:attempts")  # how often it was tried
    time.sleep(seconds)  # the slow part: a crash here = a redelivery
    # Idempotent: SET NX succeeds for the first run only, so the effect
    # (here: adding to the shipments list) happens once per order.
    if store.set(f"order:{order_id}:shipped", "1", nx=True):
        store.rpush("shipments", order_id)
        return f"order {order_id} shipped"
    return f"order {order_id} was already shipped"
