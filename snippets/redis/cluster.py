"""Redis Cluster: keys spread over slots and nodes; hash tags group them."""

import os

from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException

# any node of the cluster; the client discovers the others
REDIS_CLUSTER_URL = os.environ.get(
    "REDIS_CLUSTER_URL", "redis://localhost:7000/0"
)
rc = RedisCluster.from_url(REDIS_CLUSTER_URL, decode_responses=True)
print(len(rc.get_primaries()))
#> 3

keys = [f"user:{i}" for i in range(1, 7)]
for key in keys:
    rc.set(key, "data")
print([rc.keyslot(key) for key in keys])  # CRC16(key) mod 16384
#> [10778, 6777, 2648, 15039, 10910, 6909]
print(len({rc.get_node_from_key(key).name for key in keys}))  # nodes
#> 3

# multi-key commands need all keys in one slot
try:
    rc.mget("user:1", "user:2")
except RedisClusterException as exc:
    print(exc)
    #> MGET - all keys must map to the same key slot

# a hash tag: only the part in {braces} is hashed -> same slot
tagged = ["{user:1}:profile", "{user:1}:cart"]
print([rc.keyslot(key) for key in tagged])
#> [10778, 10778]
rc.mset({tagged[0]: "Ann", tagged[1]: "3 items"})
print(rc.mget(tagged))
#> ['Ann', '3 items']

rc.delete(*tagged)
for key in keys:
    rc.delete(key)
rc.close()
