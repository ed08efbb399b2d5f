"""Tasks whose process dies every time (as under the OOM killer, or a segfault), with the reliability
settings of reliable_tasks.py, and what bounds the redelivery loop.

    celery -A crash_tasks worker --pool prefork --concurrency 1 --loglevel INFO
"""

import os
import signal

import redis
from celery import Celery

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
app = Celery("crash_tasks", broker=os.environ["AMQP_URL"], backend=REDIS_URL)
app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1)
store = redis.Redis.from_url(REDIS_URL)


@app.task
def crash_forever(key: str) -> None:
    store.incr(key)
    os.kill(os.getpid(), signal.SIGKILL)


@app.task(retry_on_worker_lost=True, max_retries=2, default_retry_delay=0)
def crash_with_retries(key: str) -> None:
    store.incr(key)
    os.kill(os.getpid(), signal.SIGKILL)
