"""TLS: rediss:// with your CA certificate; plaintext is refused."""

import os

import redis

# a TLS-only server (--port 0 --tls-port 6390); ssl_ca_certs = your CA
REDIS_TLS_URL = os.environ.get(
    "REDIS_TLS_URL", "rediss://localhost:6390/0?ssl_ca_certs=tls/ca.crt"
)
r = redis.Redis.from_url(REDIS_TLS_URL, decode_responses=True)
print(r.ping(), r.connection_pool.connection_class.__name__)
#> True SSLConnection

# the same port without TLS: the server drops the connection
plaintext_url = REDIS_TLS_URL.replace("rediss://", "redis://").split("?")[0]
try:
    redis.Redis.from_url(plaintext_url, socket_timeout=2).ping()
except redis.exceptions.ConnectionError as exc:
    print(type(exc).__name__)
    #> ConnectionError

# TLS, but without trusting your CA: the certificate check fails
try:
    redis.Redis.from_url(REDIS_TLS_URL.split("?")[0]).ping()
except redis.exceptions.ConnectionError as exc:
    print("CERTIFICATE_VERIFY_FAILED" in str(exc))
    #> True
