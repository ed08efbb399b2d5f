"""Tasks for the "Retries and errors" page: each attempt is logged in Redis.

    celery -A retry_tasks worker --pool threads --loglevel INFO
"""

import os
import time

import redis
from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("retry_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "retry_tasks"  # its own queue, not "celery"
store = redis.Redis.from_url(REDIS_URL, decode_responses=True)


def log_attempt(key: str) -> int:
    """Append this attempt's time to a Redis list; return its number."""
    return store.rpush(f"attempts:{key}", time.time())


@app.task(bind=True, max_retries=3)
def charge(self, order: str, fail_times: int) -> str:
    attempt = log_attempt(order)
    try:
        if attempt <= fail_times:
            raise ConnectionError("payment gateway unreachable")
    except ConnectionError as exc:
        # raise, not just call: retry() raises the Retry signal for us
        raise self.retry(exc=exc, countdown=0.2) from exc
    return f"charged {order} on attempt {attempt}"


@app.task(
    autoretry_for=(ConnectionError,),  # retry on these, no try/except
    retry_backoff=True,  # wait 1 s, 2 s, 4 s, ... between attempts
    retry_jitter=False,  # default True: random waits up to that value
    max_retries=2,
)
def fetch_rates(key: str) -> dict:
    log_attempt(key)
    raise ConnectionError("rates API down")
