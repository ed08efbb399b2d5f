"""Hashes: one key holding many fields, like a small dict per object."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

r.hset("user:1", mapping={"name": "Ann", "email": "ann@example.com"})
print(r.hget("user:1", "name"))
#> Ann
print(r.hincrby("user:1", "logins", 1))  # a counter inside the hash
#> 1
print(r.hgetall("user:1"))  # every field: a dict of str
#> {'name': 'Ann', 'email': 'ann@example.com', 'logins': '1'}
print(r.hexists("user:1", "phone"), r.hlen("user:1"))
#> False 3

r.hdel("user:1", "email")  # remove one field, keep the rest
print(r.hkeys("user:1"))
#> ['name', 'logins']

r.delete("user:1")
