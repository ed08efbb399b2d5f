"""Sessions in a hash with a sliding expiry: every request renews the TTL."""

import os
import secrets

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
IDLE_TIMEOUT = 30 * 60  # log out after 30 minutes without a request


def create_session(user_id):
    session_id = secrets.token_urlsafe(32)  # unguessable; the cookie value
    key = f"session:{session_id}"
    with r.pipeline() as pipe:
        pipe.hset(key, mapping={"user_id": user_id, "cart_items": 0})
        pipe.expire(key, IDLE_TIMEOUT)
        pipe.execute()
    return session_id


def load_session(session_id):
    key = f"session:{session_id}"
    with r.pipeline() as pipe:  # read and renew in one round trip
        pipe.hgetall(key)
        pipe.expire(key, IDLE_TIMEOUT)  # sliding: idle time restarts
        data, _ = pipe.execute()
    return data or None  # {} means expired or logged out


sid = create_session(user_id=42)
print(len(sid))
#> 43

r.expire(f"session:{sid}", 5)  # pretend it was idle: 5 s left
print(load_session(sid))
#> {'user_id': '42', 'cart_items': '0'}
print(r.ttl(f"session:{sid}"))  # the request renewed it
#> 1800

r.delete(f"session:{sid}")  # logout
print(load_session(sid))
#> None
