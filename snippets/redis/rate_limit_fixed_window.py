"""Fixed-window rate limit: INCR a per-minute counter that expires."""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)


def allow(client, limit=5, window=60):
    """True if `client` made at most `limit` calls in this window."""
    window_no = int(time.time() // window)
    key = f"rate:{client}:{window_no}"
    with r.pipeline() as pipe:  # MULTI/EXEC: both or neither
        pipe.incr(key)
        pipe.expire(key, window, nx=True)  # TTL on the first hit only
        count, _ = pipe.execute()
    return count <= limit


print([allow("203.0.113.7") for _ in range(7)])
#> [True, True, True, True, True, False, False]
print(allow("198.51.100.4"))  # other clients have their own counter
#> True

for key in r.scan_iter(match="rate:*"):
    r.delete(key)
