"""Fix for cache keys without a TTL: find them with SCAN, give them one."""

import os
import random

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# the mistake: some code path wrote cache entries without ex=
r.set("cache:price:1", "9.99", ex=600)
r.set("cache:price:2", "4.50")  # lives forever
r.set("cache:price:3", "7.25")  # lives forever


def keys_without_ttl(pattern):
    keys = list(r.scan_iter(match=pattern, count=500))
    with r.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.ttl(key)
        ttls = pipe.execute()
    pairs = zip(keys, ttls, strict=True)
    return sorted(key for key, ttl in pairs if ttl == -1)


print(keys_without_ttl("cache:*"))
#> ['cache:price:2', 'cache:price:3']

for key in keys_without_ttl("cache:*"):
    # a TTL with jitter, so they do not all expire in the same second
    r.expire(key, 600 + random.randint(0, 60))
print(keys_without_ttl("cache:*"))
#> []

r.delete("cache:price:1", "cache:price:2", "cache:price:3")
