"""Cache-aside: read the cache, fall back to the database, store as JSON."""

import json
import os
import random

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

DATABASE = {42: {"id": 42, "name": "Ann", "plan": "pro"}}  # stand-in
db_reads = 0


def load_user_from_db(user_id):
    global db_reads
    db_reads += 1
    return dict(DATABASE[user_id])


def get_user(user_id):
    key = f"cache:user:{user_id}"
    cached = r.get(key)
    if cached is not None:  # hit
        return json.loads(cached)
    user = load_user_from_db(user_id)  # miss: ask the source of truth
    # TTL with jitter: keys written together do not all expire together
    r.set(key, json.dumps(user), ex=300 + random.randint(0, 30))
    return user


def update_plan(user_id, plan):
    DATABASE[user_id]["plan"] = plan  # 1. write the database
    r.delete(f"cache:user:{user_id}")  # 2. drop the cached copy


print(get_user(42), db_reads)  # miss: loaded from the database
#> {'id': 42, 'name': 'Ann', 'plan': 'pro'} 1
print(get_user(42), db_reads)  # hit: the database was not asked
#> {'id': 42, 'name': 'Ann', 'plan': 'pro'} 1
print(300 <= r.ttl("cache:user:42") <= 330)
#> True

update_plan(42, "team")
print(get_user(42)["plan"], db_reads)  # reloaded after the update
#> team 2

r.delete("cache:user:42")
