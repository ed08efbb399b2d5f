"""Connection pools: one per process, sized on purpose; what "full" does."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

# from_url builds a pool; query-string options work too: ?socket_timeout=2
pool = redis.ConnectionPool.from_url(
    REDIS_URL,
    max_connections=3,  # default in redis-py 8: 100
    socket_connect_timeout=2,  # seconds to open a TCP connection
    socket_timeout=2,  # seconds to wait for any reply
    health_check_interval=30,  # PING a connection idle for 30 s before use
    client_name="report-worker",  # shows up in CLIENT LIST
    decode_responses=True,
)
r = redis.Redis(connection_pool=pool)  # thread-safe: share it
print(r.ping(), r.client_getname())
#> True report-worker

# take all three connections (as three busy threads would)
held = [pool.get_connection() for _ in range(3)]
try:
    r.ping()
except redis.exceptions.MaxConnectionsError as exc:
    print(type(exc).__name__, exc)
    #> MaxConnectionsError Too many connections
for conn in held:
    pool.release(conn)
print(r.ping())  # connections are back in the pool
#> True

# BlockingConnectionPool waits up to `timeout` seconds for a free one
waiting = redis.BlockingConnectionPool.from_url(
    REDIS_URL, max_connections=1, timeout=0.5
)
busy = waiting.get_connection()
try:
    redis.Redis(connection_pool=waiting).ping()
except redis.exceptions.ConnectionError as exc:
    print(exc)
    #> No connection available.
waiting.release(busy)

pool.disconnect()
waiting.disconnect()
