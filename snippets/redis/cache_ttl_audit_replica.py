"""The TTL audit without loading a busy primary: scan on a replica, send
the EXPIREs to the primary (a replica refuses writes)."""

import os
import random

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
# a replica started with: redis-server --port 6380 --replicaof ... 6379
REDIS_REPLICA_URL = os.environ.get(
    "REDIS_REPLICA_URL", "redis://localhost:6380/0"
)
primary = redis.Redis.from_url(REDIS_URL, decode_responses=True)
replica = redis.Redis.from_url(REDIS_REPLICA_URL, decode_responses=True)

primary.set("cache:price:1", "9.99", ex=600)
primary.set("cache:price:2", "4.50")  # lives forever
primary.set("cache:price:3", "7.25")  # lives forever
primary.wait(1, 1000)  # until the replica has them (asynchronous)


def keys_without_ttl(client, pattern):
    keys = list(client.scan_iter(match=pattern, count=500))
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.ttl(key)
        ttls = pipe.execute()
    pairs = zip(keys, ttls, strict=True)
    return sorted(key for key, ttl in pairs if ttl == -1)


found = keys_without_ttl(replica, "cache:*")  # the walk loads the replica
print(found)
#> ['cache:price:2', 'cache:price:3']

try:
    replica.expire(found[0], 600)
except redis.exceptions.ReadOnlyError as exc:
    print(type(exc).__name__, exc)
    #> ReadOnlyError You can't write against a read only replica.

with primary.pipeline(transaction=False) as pipe:  # writes: the primary
    for key in found:
        pipe.expire(key, 600 + random.randint(0, 60))
    pipe.execute()
primary.wait(1, 1000)
print(keys_without_ttl(replica, "cache:*"))
#> []

primary.delete("cache:price:1", "cache:price:2", "cache:price:3")
