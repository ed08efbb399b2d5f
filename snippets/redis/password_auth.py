"""requirepass: without the password every command is refused."""

import os

import redis

# a server started with --requirepass (the password comes from env too)
REDIS_AUTH_URL = os.environ.get("REDIS_AUTH_URL", "redis://localhost:6381/0")
REDIS_PASSWORD = os.environ.get(
    "REDIS_PASSWORD", "correct-horse-battery-staple"
)

try:
    redis.Redis.from_url(REDIS_AUTH_URL).ping()
except redis.exceptions.AuthenticationError as exc:
    print(type(exc).__name__)
    #> AuthenticationError
    print(str(exc).split(",")[0])  # the first words of the server's reply
    #> HELLO must be called with the client already authenticated

try:
    redis.Redis.from_url(REDIS_AUTH_URL, password="guess").ping()
except redis.exceptions.AuthenticationError as exc:
    print(type(exc).__name__, exc)
    #> AuthenticationError invalid username-password pair or user is disabled.

# the password can also be in the URL: redis://:PASSWORD@host:6381/0
r = redis.Redis.from_url(REDIS_AUTH_URL, password=REDIS_PASSWORD)
print(r.ping())
#> True
