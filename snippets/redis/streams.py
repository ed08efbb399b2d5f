"""Streams: an append-only log read by a consumer group, with acks."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
r.delete("emails")

# XADD with the default id "*": Redis assigns a time-based id
for to in ("ann@example.com", "bob@example.com"):
    r.xadd("emails", {"to": to})
print(r.xlen("emails"))
#> 2

# a consumer group remembers what it has handed out; "0" = from the start
r.xgroup_create("emails", "mailers", id="0")

# ">" = entries never delivered to anyone in the group
[(stream, entries)] = r.xreadgroup(
    "mailers", "worker-1", {"emails": ">"}, count=10, block=1000
)
print(stream, [fields["to"] for _id, fields in entries])
#> emails ['ann@example.com', 'bob@example.com']
print(r.xpending("emails", "mailers")["pending"])  # delivered, not acked
#> 2

first_id = entries[0][0]
print(r.xack("emails", "mailers", first_id))  # done with the first one
#> 1
print(r.xpending("emails", "mailers")["pending"])
#> 1

# nothing new for ">" (block=100: wait at most 100 ms)
print(r.xreadgroup("mailers", "worker-1", {"emails": ">"}, block=100))
#> []
# id "0" re-reads this consumer's unacked entries, e.g. after a crash
[(_, again)] = r.xreadgroup("mailers", "worker-1", {"emails": "0"})
print([fields["to"] for _id, fields in again])
#> ['bob@example.com']

r.delete("emails")
