"""redis-py's Lock: one owner at a time, with a timeout as a safety net."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# timeout: the key expires after 10 s even if the owner dies
# blocking_timeout: how long acquire() waits for a busy lock
mine = r.lock("lock:nightly-report", timeout=10, blocking_timeout=0.5)
theirs = r.lock("lock:nightly-report", timeout=10, blocking_timeout=0.5)

print(mine.acquire(), r.ttl("lock:nightly-report"))  # seconds left
#> True 10
print(theirs.acquire())  # waited 0.5 s, then gave up
#> False
print(mine.owned(), theirs.owned())
#> True False
mine.release()  # deletes the key only if it still holds our token
print(theirs.acquire())
#> True
theirs.release()

# the usual form: raises LockError if not acquired in blocking_timeout
with r.lock("lock:nightly-report", timeout=10, blocking_timeout=1):
    print("only one worker runs this block at a time")
    #> only one worker runs this block at a time
