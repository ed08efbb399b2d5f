"""Fan-out with Redis pub/sub: every subscriber connected at that moment
gets the message; one that is offline misses it for good."""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)


def subscriber() -> redis.client.PubSub:
    sub = r.pubsub()
    sub.subscribe("news")
    sub.get_message(timeout=1)  # the "subscribe" reply: we are listening
    return sub


def received(sub: redis.client.PubSub, seconds: float = 0.5) -> list[str]:
    """Every message that arrives within `seconds`."""
    got, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        message = sub.get_message(timeout=left)
        if message and message["type"] == "message":
            got.append(message["data"])
    return got


mailer, dashboard = subscriber(), subscriber()
# PUBLISH returns how many subscribers received the message
print(r.publish("news", "release 1.0"))
#> 2
print(received(mailer), received(dashboard))
#> ['release 1.0'] ['release 1.0']

# the dashboard goes offline (restart, deploy, crash)
dashboard.unsubscribe()
dashboard.get_message(timeout=1)  # the "unsubscribe" reply: it is out
dashboard.close()
print(r.publish("news", "release 1.1"))
#> 1

dashboard = subscriber()  # back online: Redis kept nothing for it
print(received(mailer), received(dashboard))
#> ['release 1.1'] []

mailer.close()
dashboard.close()
