"""The synchronous client: one call, one reply, in order."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")


def main():
    r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    for i, name in enumerate(["Ann", "Bob", "Eve"], start=1):
        r.hset(f"user:{i}", "name", name)
    names = [r.hget(f"user:{i}", "name") for i in (1, 2, 3)]
    print(names)
    #> ['Ann', 'Bob', 'Eve']
    r.delete("user:1", "user:2", "user:3")
    r.close()


main()
