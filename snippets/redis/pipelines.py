"""Pipelines: many commands in one round trip, with or without MULTI/EXEC."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# transaction=True (the default): sent as MULTI ... EXEC, run as one
# block: no other client's command runs in between
with r.pipeline() as pipe:
    pipe.incr("visits:today")
    pipe.expire("visits:today", 86400)
    pipe.sadd("pages:today", "/home")
    print(pipe.execute())  # one result per command
    #> [1, True, 1]

# transaction=False: only batching, for bulk loads
with r.pipeline(transaction=False) as pipe:
    for i in range(1000):
        pipe.set(f"item:{i}", i, ex=600)
    results = pipe.execute()
print(len(results), all(results))
#> 1000 True

# MULTI/EXEC is not a rollback: a failing command leaves the others done
with r.pipeline() as pipe:
    pipe.set("name", "ann")
    pipe.incr("name")  # not a number: this one fails
    pipe.get("name")
    done, failed, name = pipe.execute(raise_on_error=False)
print(done, name)
#> True ann
print(type(failed).__name__, failed)
#> ResponseError value is not an integer or out of range

r.delete("visits:today", "pages:today", "name")
r.delete(*(f"item:{i}" for i in range(1000)))
