"""Takes redis-py's lock "lock:report" (argv: REDIS_URL [timeout]), says so, then "works" until killed."""

import sys
import time

import redis

r = redis.Redis.from_url(sys.argv[1])
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else None
print(r.lock("lock:report", timeout=timeout).acquire(), flush=True)
time.sleep(120)
