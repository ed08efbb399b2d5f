"""Recovering a consumer group's orphans: claim idle entries with
XAUTOCLAIM, report the ones trimmed away, park the ones that keep failing."""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
r.delete("jobs", "jobs:dead")
r.xgroup_create("jobs", "workers", id="0", mkstream=True)
MIN_IDLE_MS = 100  # in production: longer than your slowest job
MAX_DELIVERIES = 3  # then the entry goes to the dead-letter stream

for image in ("a.png", "b.png", "c.png"):
    r.xadd("jobs", {"image": image})
# a worker named after its pid takes all three and dies: that name
# never comes back, so its entries stay pending until someone claims them
r.xreadgroup("workers", "worker-4711", {"jobs": ">"}, count=3)
r.xtrim("jobs", maxlen=2, approximate=False)  # a producer trims a.png


def handle(fields: dict) -> None:
    if fields["image"] == "c.png":
        raise ValueError("corrupt image")  # fails every time: poison


def recover(consumer: str) -> dict:
    """One pass of the claim step; run it periodically."""
    seen = {"trimmed": 0, "done": [], "failed": [], "parked": []}
    start = "0-0"
    while True:
        start, claimed, trimmed = r.xautoclaim(
            "jobs", "workers", consumer, MIN_IDLE_MS, start, count=100
        )
        seen["trimmed"] += len(trimmed)  # pending, data gone: log the ids
        for entry_id, fields in claimed:
            [info] = r.xpending_range("jobs", "workers", entry_id, entry_id, 1)
            if info["times_delivered"] > MAX_DELIVERIES:
                r.xadd("jobs:dead", {**fields, "id": entry_id})
                r.xack("jobs", "workers", entry_id)
                seen["parked"].append(fields["image"])
                continue
            try:
                handle(fields)
            except ValueError:
                seen["failed"].append(fields["image"])  # stays pending
                continue
            r.xack("jobs", "workers", entry_id)
            seen["done"].append(fields["image"])
        if start == "0-0":  # the whole pending list was scanned
            return seen


for attempt in (1, 2, 3):
    time.sleep(MIN_IDLE_MS / 1000 * 1.5)
    seen = recover("worker-recovery")
    print(f"pass {attempt}:", {k: v for k, v in seen.items() if v})
    #> pass 1: {'trimmed': 1, 'done': ['b.png'], 'failed': ['c.png']}
    #> pass 2: {'failed': ['c.png']}
    #> pass 3: {'parked': ['c.png']}
print("pending:", r.xpending("jobs", "workers")["pending"])
#> pending: 0
print("dead letters:", [f["image"] for _id, f in r.xrange("jobs:dead")])
#> dead letters: ['c.png']

r.delete("jobs", "jobs:dead")
