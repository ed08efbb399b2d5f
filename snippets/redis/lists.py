"""Lists: a queue with LPUSH/RPOP, and BLPOP that waits (with a timeout)."""

import os
import threading

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# LPUSH adds on the left, RPOP takes from the right: first in, first out
r.lpush("jobs", "resize:1", "resize:2", "resize:3")
print(r.llen("jobs"), r.lrange("jobs", 0, -1))
#> 3 ['resize:3', 'resize:2', 'resize:1']
print(r.rpop("jobs"))
#> resize:1

# BLPOP blocks until an item arrives or the timeout (seconds) runs out
r.delete("jobs")
print(r.blpop(["jobs"], timeout=1))  # nothing came within 1 s
#> None

# another client pushes after 0.2 s: BLPOP returns at once with it
pusher = threading.Timer(0.2, r.rpush, args=("jobs", "email:7"))
pusher.start()
print(r.blpop(["jobs"], timeout=5))  # (list name, item)
#> ('jobs', 'email:7')
pusher.join()
