"""Sliding-window rate limit: a sorted set of request times per client."""

import os
import time
import uuid

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)


def allow(client, limit=5, window=1.0):
    """At most `limit` calls in any `window` seconds, not per clock tick."""
    key = f"rate:sliding:{client}"
    now = time.time()
    with r.pipeline() as pipe:
        pipe.zremrangebyscore(key, 0, now - window)  # forget old calls
        pipe.zadd(key, {uuid.uuid4().hex: now})  # record this call
        pipe.zcard(key)  # calls inside the window, this one included
        pipe.expire(key, int(window) + 1)  # idle clients cost nothing
        _, _, count, _ = pipe.execute()
    return count <= limit


print([allow("203.0.113.7") for _ in range(7)])
#> [True, True, True, True, True, False, False]
time.sleep(1.1)  # the window slides past those calls
print(allow("203.0.113.7"))
#> True

r.delete("rate:sliding:203.0.113.7")
