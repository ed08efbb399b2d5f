"""maxmemory: allkeys-lru evicts old keys; noeviction refuses new writes."""

import os

import redis

# a server started with --maxmemory 2mb --maxmemory-policy allkeys-lru
REDIS_SMALL_URL = os.environ.get("REDIS_SMALL_URL", "redis://localhost:6382/0")
r = redis.Redis.from_url(REDIS_SMALL_URL, decode_responses=True)
print(r.config_get("maxmemory")["maxmemory"])  # bytes
#> 2097152

r.config_resetstat()  # zero the evicted_keys counter of this demo server
value = "x" * 1000
with r.pipeline(transaction=False) as pipe:
    for i in range(5000):  # about 5 MB of values into 2 MB
        pipe.set(f"page:{i}", value)
    print(all(pipe.execute()))  # every write succeeded...
    #> True

kept = [int(key.split(":")[1]) for key in r.scan_iter("page:*")]
print(len(kept) < 5000, r.info("stats")["evicted_keys"] > 0)  # ...yet
#> True True
newer = sum(1 for i in kept if i >= 2500)
print(newer > len(kept) - newer)  # mostly the recent keys survived
#> True

# the same server with noeviction: writes fail once memory is full
r.config_set("maxmemory-policy", "noeviction")
try:
    r.set("one-more", value)
except redis.exceptions.OutOfMemoryError as exc:
    print(type(exc).__name__, exc)
    #> OutOfMemoryError command not allowed when used memory > 'maxmemory'.
# under noeviction nothing is evicted any more: any key still here stays
survivor = next(r.scan_iter("page:*"))
print(r.get(survivor) == value)  # reads still work
#> True

r.config_set("maxmemory-policy", "allkeys-lru")  # as the server started
r.delete(*(f"page:{i}" for i in kept))
