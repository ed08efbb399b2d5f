"""Replication: write on the primary, read on the replica (read-only)."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
# a replica started with: redis-server --port 6380 --replicaof ... 6379
REDIS_REPLICA_URL = os.environ.get(
    "REDIS_REPLICA_URL", "redis://localhost:6380/0"
)
primary = redis.Redis.from_url(REDIS_URL, decode_responses=True)
replica = redis.Redis.from_url(REDIS_REPLICA_URL, decode_responses=True)

# INFO still uses the old words: master = primary, slave = replica
print(primary.info("replication")["role"], primary.info()["connected_slaves"])
#> master 1
print(replica.info("replication")["role"])
#> slave

primary.set("feature:dark-mode", "on")
# replication is asynchronous; WAIT blocks until N replicas confirm
# (here: 1 replica, at most 1000 ms) and returns how many did
print(primary.wait(1, 1000))
#> 1
print(replica.get("feature:dark-mode"))
#> on

try:
    replica.set("feature:dark-mode", "off")
except redis.exceptions.ReadOnlyError as exc:
    print(type(exc).__name__, exc)
    #> ReadOnlyError You can't write against a read only replica.

primary.delete("feature:dark-mode")
