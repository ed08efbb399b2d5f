"""Check the memory limit and policy, and what one key costs."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

limits = r.config_get("maxmemory", "maxmemory-policy")
# 0 = no limit (64-bit builds): Redis grows until the OS says no
print(limits["maxmemory"], limits["maxmemory-policy"])
#> 0 noeviction

r.set("greeting", "hello")
r.hset("user:1", mapping={f"field{i}": "x" * 20 for i in range(100)})
print(r.memory_usage("greeting"))  # bytes, including key overhead
#> 72
print(r.memory_usage("user:1") > 100 * 20)  # overhead per field, too
#> True
print(r.object("encoding", "user:1"))  # compact encoding while small
#> listpack
r.delete("greeting", "user:1")
