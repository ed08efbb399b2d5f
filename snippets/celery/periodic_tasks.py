"""Periodic tasks: beat sends them on schedule, workers run them.

Run one worker (or more) and exactly one beat, from this folder:

    celery -A periodic_tasks worker --pool threads --loglevel INFO
    celery -A periodic_tasks beat --loglevel INFO
"""

import os
import time

import redis
from celery import Celery
from celery.schedules import crontab

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

app = Celery("periodic_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "periodic_tasks"  # its own queue, not "celery"
store = redis.Redis.from_url(REDIS_URL, decode_responses=True)

app.conf.timezone = "UTC"  # the default; crontab hours are in this zone
app.conf.beat_schedule = {
    "tick-every-second": {
        "task": "periodic_tasks.tick",
        "schedule": 1.0,  # seconds (or a timedelta)
        "args": ("heartbeat",),
    },
    "report-on-weekday-mornings": {
        "task": "periodic_tasks.tick",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
        "args": ("morning-report",),
    },
}


@app.task(ignore_result=True)  # nobody reads a periodic task's result
def tick(name: str) -> None:
    store.rpush(f"ticks:{name}", time.time())
