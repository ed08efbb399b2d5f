"""The same cache parts on a server without field TTLs (Valkey 8, Redis
before 7.4): one key per part, read together with MGET."""

import json
import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

DATABASE = {  # stand-in
    42: {"profile": {"name": "Ann"}, "permissions": ["read", "write"]}
}
TTL = {"profile": 300, "permissions": 30}  # permissions change more often
PARTS = list(TTL)
db_reads = 0


def get_parts(user_id):
    keys = [f"cache:user:{user_id}:{part}" for part in PARTS]
    parts = {}
    for key, part, cached in zip(keys, PARTS, r.mget(keys), strict=True):
        if cached is None:  # miss: load and store this part alone
            global db_reads
            db_reads += 1
            parts[part] = DATABASE[user_id][part]
            r.set(key, json.dumps(parts[part]), ex=TTL[part])
        else:
            parts[part] = json.loads(cached)
    return parts


print(get_parts(42), db_reads)  # both missed
#> {'profile': {'name': 'Ann'}, 'permissions': ['read', 'write']} 2
print(get_parts(42), db_reads)  # one MGET, both hit
#> {'profile': {'name': 'Ann'}, 'permissions': ['read', 'write']} 2
print(r.ttl("cache:user:42:profile"), r.ttl("cache:user:42:permissions"))
#> 300 30

# permissions changed: drop that part only
DATABASE[42]["permissions"] = ["read"]
r.delete("cache:user:42:permissions")
print(get_parts(42)["permissions"], db_reads)
#> ['read'] 3

# the user is gone: every part's key must be named
print(r.delete(*(f"cache:user:42:{part}" for part in PARTS)))
#> 2
