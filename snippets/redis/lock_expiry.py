"""When the work outlasts the lock's timeout, two owners exist."""

import os
import time

import redis
from redis.exceptions import LockNotOwnedError

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

slow = r.lock("lock:invoice-7", timeout=0.2)  # 200 ms: too short
print(slow.acquire())
#> True
time.sleep(0.3)  # a GC pause, a slow API call, a stopped VM...

fast = r.lock("lock:invoice-7", timeout=5)
print(fast.acquire(blocking=False))  # the key expired: a second owner
#> True

try:
    slow.release()  # the token check saves fast's lock from deletion
except LockNotOwnedError as exc:
    print(type(exc).__name__)
    #> LockNotOwnedError
print(fast.owned())
#> True

# for long work: extend the lock while you still own it
print(fast.extend(10))  # adds 10 s to the remaining time
#> True
fast.release()
