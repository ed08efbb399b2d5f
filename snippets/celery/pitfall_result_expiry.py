"""Results in Redis expire after a day; ignore_result stores none at all."""

import time

import redis
from calling_tasks import REDIS_URL, add, app

store = redis.Redis.from_url(REDIS_URL)

kept = add.delay(1, 2)
kept.get(timeout=10)
ttl = store.ttl(f"celery-task-meta-{kept.id}")  # the backend's key
print("result_expires:", app.conf.result_expires)
#> result_expires: 1 day, 0:00:00
print("key expires within a day:", 0 < ttl <= 24 * 60 * 60)
#> key expires within a day: True

# Fire-and-forget: the worker runs it and stores nothing.
dropped = add.apply_async((1, 2), ignore_result=True)
time.sleep(1)  # (plenty of time for the worker to run it)
print(store.exists(f"celery-task-meta-{dropped.id}"), dropped.state)
#> 0 PENDING
