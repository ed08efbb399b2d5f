"""What the server says about its threads and its persistence settings."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# io-threads 1 (the default): one thread reads sockets, runs commands
# and writes replies. With more, only socket I/O is spread out.
print(r.config_get("io-threads"))
#> {'io-threads': '1'}
print(r.info("server")["multiplexing_api"])  # the event loop's syscall
#> epoll
