"""A subscriber that ends by itself: on a "bye" message or 5 s of silence."""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
IDLE_LIMIT = 5.0  # seconds without a message before giving up

sub = r.pubsub(ignore_subscribe_messages=True)
sub.subscribe("notifications")
received = []
quiet_until = time.monotonic() + IDLE_LIMIT
while time.monotonic() < quiet_until:
    message = sub.get_message(timeout=0.5)  # None after 0.5 s of nothing
    if message is None:
        continue
    if message["data"] == "bye":
        break
    received.append(message["data"])
    quiet_until = time.monotonic() + IDLE_LIMIT
sub.close()

print(received)
#> ['order 1 shipped', 'order 2 shipped']
