"""Tasks that go wrong in the ways docs/celery/troubleshooting.md lists (tests/claims/test_celery_troubleshooting.py).

    celery -A orders worker --pool prefork --concurrency 2 --loglevel INFO

Env: AMQP_URL (or BROKER_URL), REDIS_URL; ORDERS_QUEUE (default "orders"), RESULT_EXPIRES (seconds),
NO_BACKEND=1 (a worker whose app has no result backend, as when a Django worker does not load the settings),
ACCEPT_PICKLE=1.
"""

import os
import signal
import time

from celery import Celery

app = Celery("orders", broker=os.environ.get("BROKER_URL") or os.environ["AMQP_URL"],
             backend=None if os.environ.get("NO_BACKEND") else os.environ["REDIS_URL"])
app.conf.task_default_queue = os.environ.get("ORDERS_QUEUE", "orders")
if "RESULT_EXPIRES" in os.environ:
    app.conf.result_expires = int(os.environ["RESULT_EXPIRES"])
if os.environ.get("ACCEPT_PICKLE"):
    app.conf.accept_content = ["json", "pickle"]


@app.task
def add(x, y):
    return x + y


@app.task
def charge(order):
    if order == "order-2":
        raise ValueError(f"card declined for {order}")
    return order


@app.task
def total(charged):
    return len(charged)


@app.task
def receipt_total(pairs):
    return sum(add.delay(x, y).get(timeout=10) for x, y in pairs)  # the mistake


@app.task(soft_time_limit=1)
def render_report():
    time.sleep(5)  # no except SoftTimeLimitExceeded: the task fails


@app.task(time_limit=1)
def export_orders():
    time.sleep(5)


@app.task
def resize_huge_image():
    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does


@app.task(bind=True, max_retries=1)
def poll_gateway(self):
    raise self.retry(countdown=0.1)  # no exc=: the final failure is MaxRetriesExceededError
