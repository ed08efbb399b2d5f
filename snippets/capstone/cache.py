"""Cache-aside: read a user from Redis, else from SQLite, then keep it.

Redis keeps a JSON copy for USER_CACHE_TTL seconds. A write goes to
SQLite first and then deletes the copy, so the next read is fresh; the
TTL bounds how long a stale copy can live if a delete is ever missed.
"""

import json

import redis

from . import db
from .config import USER_CACHE_TTL


def user_key(user_id: int) -> str:
    return f"capstone:user:{user_id}"


def get_user(r: redis.Redis, user_id: int) -> tuple[dict | None, str]:
    """Return the user (or None) and where it came from: "hit" or "miss"."""
    cached = r.get(user_key(user_id))
    if cached is not None:
        return json.loads(cached), "hit"
    user = db.get_user(user_id)
    if user is not None:
        r.set(user_key(user_id), json.dumps(user), ex=USER_CACHE_TTL)
    return user, "miss"


def invalidate(r: redis.Redis, user_id: int) -> None:
    r.delete(user_key(user_id))
