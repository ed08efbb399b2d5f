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
print(r.memory_usage("greeting"))  # bytes, including key overhead
#> 72

# small hashes use a compact encoding, large ones a real hash table
limit = r.config_get("hash-max-listpack-entries")["hash-max-listpack-entries"]
print(limit)  # fields
#> 512
r.hset("small", mapping={f"field{i}": "x" * 20 for i in range(500)})
r.hset("large", mapping={f"field{i}": "x" * 20 for i in range(600)})
print(r.object("encoding", "small"), r.object("encoding", "large"))
#> listpack hashtable
# samples=0: count every field (the default estimates from 5 of them)
per_field_small = r.memory_usage("small", samples=0) / 500
per_field_large = r.memory_usage("large", samples=0) / 600
print(round(per_field_large / per_field_small, 1))  # times more per field
#> 2.6
r.delete("greeting", "small", "large")
