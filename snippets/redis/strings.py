"""Strings: SET and GET, atomic counters with INCR, "once" with SET NX EX."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

r.set("page:title", "Redis for Python")
print(r.get("page:title"))
#> Redis for Python

# INCR is atomic: many clients can count at once without losing updates
print(r.incr("page:views"))
#> 1
print(r.incrby("page:views", 10))
#> 11
print(repr(r.get("page:views")))  # stored as a string
#> '11'

# SET NX EX: only if the key does not exist yet, and only for 30 seconds
print(r.set("job:42:owner", "worker-1", nx=True, ex=30))
#> True
print(r.set("job:42:owner", "worker-2", nx=True, ex=30))  # taken: None
#> None
print(r.get("job:42:owner"), r.ttl("job:42:owner"))
#> worker-1 30

r.delete("page:title", "page:views", "job:42:owner")
