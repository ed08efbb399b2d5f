"""SCAN: walk the keyspace in small steps instead of KEYS."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

with r.pipeline(transaction=False) as pipe:
    for i in range(500):
        pipe.set(f"session:{i}", "data", ex=600)
        pipe.set(f"cache:page:{i}", "html", ex=600)
    pipe.execute()

# each SCAN call returns a cursor and a handful of keys (about `count`),
# so other clients get served between the calls; scan_iter loops for you
sessions = list(r.scan_iter(match="session:*", count=100))
print(len(sessions), len(set(sessions)))
#> 500 500

# one SCAN step by hand: cursor 0 starts, a returned 0 means "done"
cursor, keys = r.scan(cursor=0, match="cache:page:*", count=100)
print(cursor != 0, len(keys) < 500)
#> True True

# _type filters by data type on the server (Redis 6+)
print(sum(1 for _ in r.scan_iter(match="session:*", _type="hash")))
#> 0

for pattern in ("session:*", "cache:page:*"):
    keys = list(r.scan_iter(match=pattern, count=500))
    r.unlink(*keys)  # UNLINK frees memory in the background
