"""Cache-aside for parts of one object with different lifetimes, in one
hash with a TTL per field (HSETEX: Redis 8.0+; not in Valkey 8)."""

import json
import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

DATABASE = {  # stand-in
    42: {"profile": {"name": "Ann"}, "permissions": ["read", "write"]}
}
TTL = {"profile": 300, "permissions": 30}  # permissions change more often
db_reads = 0


def load_from_db(user_id, part):
    global db_reads
    db_reads += 1
    return DATABASE[user_id][part]


def get_part(user_id, part):
    key = f"cache:user:{user_id}"
    cached = r.hget(key, part)
    if cached is not None:  # hit
        return json.loads(cached)
    value = load_from_db(user_id, part)  # miss
    r.hsetex(key, part, json.dumps(value), ex=TTL[part])
    return value


print(get_part(42, "profile"), get_part(42, "permissions"), db_reads)
#> {'name': 'Ann'} ['read', 'write'] 2
print(get_part(42, "profile"), db_reads)  # hit
#> {'name': 'Ann'} 2
print(r.httl("cache:user:42", "profile", "permissions"))
#> [300, 30]

# permissions changed: drop that part only
DATABASE[42]["permissions"] = ["read"]
r.hdel("cache:user:42", "permissions")
print(get_part(42, "permissions"), get_part(42, "profile"), db_reads)
#> ['read'] {'name': 'Ann'} 3

r.delete("cache:user:42")  # the user is gone: one DEL drops every part
