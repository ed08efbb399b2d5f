"""A fixed-window rate limiter: at most `limit` hits per key per window.

The first hit creates a counter that expires after `window` seconds,
and every hit increments it. MULTI/EXEC runs INCR and EXPIRE NX as one
unit, so a counter never exists without its expiry. (EXPIRE's NX
option needs Redis 7.0 or newer.)
"""

import redis


def hit(
    r: redis.Redis, key: str, limit: int, window: int = 60
) -> tuple[bool, int]:
    """Count one hit; return (allowed, seconds until the window ends)."""
    with r.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window, nx=True)  # only the first hit sets it
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
    return count <= limit, ttl
