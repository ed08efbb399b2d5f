"""Store values that expire: SET with a TTL, read back, watch one vanish."""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

# decode_responses=True: get str back instead of bytes
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

r.set("greeting", "hello", ex=60)  # expires in 60 seconds
print(r.get("greeting"))
#> hello
print(r.ttl("greeting"))  # seconds left
#> 60

r.set("counter", 0)  # no expiry
print(r.ttl("counter"))  # -1: the key exists but never expires
#> -1

r.set("flash", "gone soon", px=200)  # expires in 200 milliseconds
time.sleep(0.3)
print(r.get("flash"))
#> None
print(r.ttl("flash"))  # -2: the key does not exist (any more)
#> -2

r.delete("greeting", "counter")
