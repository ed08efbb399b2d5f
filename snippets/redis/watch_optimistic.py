"""Optimistic locking: WATCH a key, and retry if someone changed it."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
other_client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
r.set("stock:widget", 5)


def buy_one(pipe, attempt):
    pipe.watch("stock:widget")  # EXEC will fail if this key changes
    stock = int(pipe.get("stock:widget"))  # read now, before MULTI
    if attempt == 1:  # for the demo: another buyer gets in between
        other_client.decr("stock:widget")
    if stock < 1:
        raise ValueError("sold out")
    pipe.multi()  # from here on, commands are queued
    pipe.set("stock:widget", stock - 1)
    pipe.execute()  # raises WatchError if stock:widget changed


with r.pipeline() as pipe:
    for attempt in range(1, 6):
        try:
            buy_one(pipe, attempt)
            break
        except redis.WatchError:
            print(f"attempt {attempt}: stock changed, retrying")
            #> attempt 1: stock changed, retrying

print(r.get("stock:widget"))  # 5 - 1 (other buyer) - 1 (us)
#> 3
r.delete("stock:widget")
