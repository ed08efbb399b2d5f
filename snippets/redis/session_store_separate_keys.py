"""The same session parts on a server without field TTLs (Valkey 8,
Redis before 7.4): one key per part, each with its own TTL."""

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
r.expire(key, IDLE_TIMEOUT)
r.set(f"{key}:csrf", secrets.token_urlsafe(16), ex=CSRF_TTL)
print(r.ttl(key), r.ttl(f"{key}:csrf"))
#> 1800 300

# a one-shot "flash" message: GETDEL reads and deletes (Redis 6.2+)
r.set(f"{key}:flash", "Profile saved")
print(r.getdel(f"{key}:flash"))
#> Profile saved
print(r.getdel(f"{key}:flash"))  # the next page finds nothing
#> None

# the token's key expires alone; the session stays
r.pexpire(f"{key}:csrf", 100)
time.sleep(0.2)
print(r.get(f"{key}:csrf"), r.hgetall(key))
#> None {'user_id': '42'}

# logout must name every part (a part left behind lives on until its TTL)
print(r.delete(key, f"{key}:csrf", f"{key}:flash"))
#> 1
