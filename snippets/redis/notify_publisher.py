"""Publish notifications; PUBLISH returns how many subscribers got each."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

for text in ("order 1 shipped", "order 2 shipped", "bye"):
    receivers = r.publish("notifications", text)
    print(f"{text!r} reached {receivers} subscriber(s)")
    #> 'order 1 shipped' reached 1 subscriber(s)
    #> 'order 2 shipped' reached 1 subscriber(s)
    #> 'bye' reached 1 subscriber(s)
