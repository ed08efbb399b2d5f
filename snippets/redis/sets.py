"""Sets: unique members, membership tests and set algebra."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

print(r.sadd("tags:post:1", "python", "redis", "cache"))
#> 3
print(r.sadd("tags:post:1", "redis"))  # already there: 0 added
#> 0
print(r.sismember("tags:post:1", "redis"))  # 1 = member (an int)
#> 1
print(r.scard("tags:post:1"))  # how many members
#> 3

r.sadd("tags:post:2", "python", "celery")
print(sorted(r.sinter("tags:post:1", "tags:post:2")))  # in both
#> ['python']
print(sorted(r.sunion("tags:post:1", "tags:post:2")))  # in either
#> ['cache', 'celery', 'python', 'redis']

r.delete("tags:post:1", "tags:post:2")
