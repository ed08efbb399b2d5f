"""Round trips set the pace: 1000 commands, one by one or in one pipeline."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL)


def server_reads():
    """How many times the server has read from a client socket so far."""
    return r.info("stats")["total_reads_processed"]


before = server_reads()
for i in range(1000):  # send, wait for the reply, send the next...
    r.set(f"n:{i}", i)
one_by_one = server_reads() - before - 1  # minus the INFO call itself

before = server_reads()
with r.pipeline(transaction=False) as pipe:
    for i in range(1000):  # queued locally...
        pipe.set(f"n:{i}", i)
    replies = pipe.execute()  # ...sent together, replies read together
pipelined = server_reads() - before - 1

print(len(replies), all(replies))
#> 1000 True
print(round(one_by_one, -2))  # about one round trip per command
#> 1000
print(pipelined < 20)  # a handful of socket reads for all 1000
#> True

r.delete(*(f"n:{i}" for i in range(1000)))
