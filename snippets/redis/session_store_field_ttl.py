"""Session parts with a lifetime of their own: field TTLs in the session
hash (HEXPIRE: Redis 7.4+; HSETEX, HGETDEL: Redis 8.0+; not in Valkey 8)."""

import os
import secrets
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
IDLE_TIMEOUT = 30 * 60  # the session: 30 minutes without a request
CSRF_TTL = 5 * 60  # a form token: 5 minutes, whatever the session does

key = f"session:{secrets.token_urlsafe(32)}"
r.hset(key, mapping={"user_id": 42})
# one field with its own TTL, set in the same command as its value
r.hsetex(key, "csrf", secrets.token_urlsafe(16), ex=CSRF_TTL)
r.expire(key, IDLE_TIMEOUT)  # the sliding TTL: on the key, fields untouched
print(r.httl(key, "user_id", "csrf"))  # -1: no TTL of its own
#> [-1, 300]
print(r.ttl(key))  # the key's TTL is separate from the fields'
#> 1800

# a one-shot "flash" message: read and delete in one command
r.hset(key, "flash", "Profile saved")
print(r.hgetdel(key, "flash"))
#> ['Profile saved']
print(r.hgetdel(key, "flash"))  # the next page finds nothing
#> [None]

# a field that expires goes alone; the session stays
r.hpexpire(key, 100, "csrf")
time.sleep(0.2)
print(r.hgetall(key))
#> {'user_id': '42'}

r.delete(key)  # logout: one key holds every part
