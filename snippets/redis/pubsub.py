"""Pub/sub: messages go to whoever is subscribed right now, nobody else."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

sub = r.pubsub()
sub.subscribe("news")
print(sub.get_message(timeout=1)["type"])  # the server confirms
#> subscribe

print(r.publish("news", "v2 released"))  # number of receivers
#> 1
message = sub.get_message(timeout=1)  # waits at most 1 s
print(message["channel"], message["data"])
#> news v2 released

sub.unsubscribe("news")
sub.close()
print(r.publish("news", "anyone there?"))  # no receiver: message is gone
#> 0
