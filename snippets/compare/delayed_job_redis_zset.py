"""Delayed jobs in a Redis sorted set: the score is the time a job is due;
a poller takes due jobs in due order, and ZREM decides which poller gets
each one."""

import json
import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
r.delete("delayed")


def schedule(job: dict, delay: float) -> None:
    # members are unique: give each job an id, or equal jobs merge
    r.zadd("delayed", {json.dumps(job): time.time() + delay})


started = time.time()
schedule({"id": 1, "task": "send reminder"}, delay=1.0)
schedule({"id": 2, "task": "expire trial"}, delay=0.5)

ran = []
while len(ran) < 2 and time.time() - started < 10:
    now = time.time()
    due = r.zrange("delayed", "-inf", now, byscore=True, offset=0, num=10)
    for member in due:
        if r.zrem("delayed", member):  # 1: this poller won the job
            job = json.loads(member)
            ran.append((job["task"], round(now - started, 1)))
    time.sleep(0.05)  # the polling interval: the most a job runs late

print([task for task, _ in ran])
#> ['expire trial', 'send reminder']
print("none early:", ran[0][1] >= 0.5 and ran[1][1] >= 1.0)
#> none early: True
