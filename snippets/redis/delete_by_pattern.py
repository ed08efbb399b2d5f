"""Fix for KEYS in production: SCAN in batches and UNLINK what you find."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

with r.pipeline(transaction=False) as pipe:
    for i in range(2000):
        pipe.set(f"cache:v1:product:{i}", "old", ex=3600)
    pipe.set("cache:v2:product:1", "new", ex=3600)
    pipe.execute()


def delete_matching(pattern, batch=500):
    """Delete keys matching `pattern` without blocking the server."""
    deleted = 0
    keys = []
    for key in r.scan_iter(match=pattern, count=batch):
        keys.append(key)
        if len(keys) == batch:
            deleted += r.unlink(*keys)  # memory freed in the background
            keys = []
    if keys:
        deleted += r.unlink(*keys)
    return deleted


# not: r.delete(*r.keys("cache:v1:*")), which walks all keys in one go
print(delete_matching("cache:v1:*"))
#> 2000
print(r.exists("cache:v2:product:1"))  # other keys untouched
#> 1
r.unlink("cache:v2:product:1")
