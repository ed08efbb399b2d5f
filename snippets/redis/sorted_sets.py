"""Sorted sets: members ordered by a score, for rankings and time indexes."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

r.zadd("scores", {"ann": 120, "bob": 95, "eve": 150})
r.zincrby("scores", 40, "bob")  # bob: 95 -> 135

# highest first, with scores (floats)
print(r.zrange("scores", 0, -1, desc=True, withscores=True))
#> [('eve', 150.0), ('bob', 135.0), ('ann', 120.0)]
print(r.zrevrank("scores", "bob"))  # 0-based position from the top
#> 1
print(r.zscore("scores", "ann"))
#> 120.0
print(r.zrange("scores", 130, "+inf", byscore=True))  # by score range
#> ['bob', 'eve']

r.delete("scores")
