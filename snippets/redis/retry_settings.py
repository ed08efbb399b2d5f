"""Timeouts and retries in redis-py 8: the defaults differ, so set them."""

import os

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.connection import parse_url
from redis.retry import Retry

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

# Redis(host=..., port=...): 10 retries, jittered backoff 10 ms .. 1 s
by_args = redis.Redis(**parse_url(REDIS_URL))
print(by_args.get_retry().get_retries())
#> 10

# Redis.from_url(...): no retry object at all: the first error is raised
by_url = redis.Redis.from_url(REDIS_URL)
print(by_url.get_retry())
#> None

# both: 5 s connect timeout and 5 s reply timeout
kwargs = by_args.get_connection_kwargs()
print(kwargs["socket_connect_timeout"], kwargs["socket_timeout"])
#> 5 5

# say what you want: 3 retries on connection errors and timeouts,
# 50 ms .. 500 ms apart, each wait for a reply at most 2 s
r = redis.Redis.from_url(
    REDIS_URL,
    socket_connect_timeout=2,
    socket_timeout=2,
    retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), 3),
)
print(r.get_retry().get_retries(), r.ping())
#> 3 True
