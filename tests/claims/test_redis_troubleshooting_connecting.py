"""docs/redis/troubleshooting.md, "Connecting": every error text of its rows, produced on private servers of each
Redis build (services/redis_errors.py says which file shows which build's text; tests/claims/
test_redis_troubleshooting.py checks that the page shows every file)."""

from __future__ import annotations

import gc

import pytest
import redis
from services.generations import REDIS_BUILDS
from services.procs import eventually, free_port
from services.redis_errors import NUMBERS, cli, documented, log_lines, raised

pytestmark = pytest.mark.page("redis/troubleshooting.md")
BY_BUILD = pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)


@BY_BUILD
def test_connection_refused(build, redis_error):
    port = free_port()  # nothing listens there
    redis_error(
        "connection-refused",
        "py",
        documented(raised(lambda: redis.Redis.from_url(f"redis://localhost:{port}/0").ping()), port),
    )
    redis_error("connection-refused", "cli", cli(build, port, "PING"))


@BY_BUILD
def test_name_or_service_not_known(build, redis_error):
    """The docker-compose service name used outside the compose network: it does not resolve."""
    redis_error("name-or-service-not-known", "py", raised(lambda: redis.Redis.from_url("redis://redis:6379/0").ping()))
    redis_error("name-or-service-not-known", "cli", cli(build, 6379, "PING", host="redis", shown_host="redis"))


@BY_BUILD
def test_timeout_reading_from_socket(build, private_redis, redis_error):
    """redis-py 8 waits 5 s for any reply by default; a BLPOP told to wait 10 s outlasts it."""
    client = redis.Redis.from_url(private_redis(build=build).url)  # no socket_timeout given
    connection = client.connection_pool.get_connection()
    assert connection.socket_timeout == 5  # redis-py 8's default
    client.connection_pool.release(connection)
    redis_error("timeout-reading-from-socket", "py", raised(lambda: client.blpop(["jobs"], timeout=10)))


@BY_BUILD
def test_connection_reset_by_peer(build, redis_special, redis_error):
    """A plaintext client on a TLS-only port: the server resets the connection."""
    port = redis_special("tls", build).port
    text = raised(lambda: redis.Redis.from_url(f"redis://localhost:{port}/0").ping())
    redis_error("connection-reset-by-peer", "py", documented(text, port, 6390))
    redis_error("connection-reset-by-peer", "cli", cli(build, port, "PING", documented=6390))


@BY_BUILD
def test_certificate_verify_failed(build, redis_special, redis_error):
    server = redis_special("tls", build)
    port = server.port
    text = raised(lambda: redis.Redis.from_url(f"rediss://localhost:{port}/0").ping())  # our CA is not trusted
    redis_error("certificate-verify-failed", "py", documented(text, port, 6390), vary=(r"_ssl\.c:\d+",))
    assert redis.Redis.from_url(f"rediss://localhost:{port}/0?ssl_ca_certs={server.ca}").ping()  # the fix


@BY_BUILD
def test_connection_closed_by_server(build, private_redis, redis_error):
    """A subscriber that stops reading passes the pub/sub output buffer limit; the server drops it."""
    server = private_redis(build=build)
    server.client().config_set("client-output-buffer-limit", "pubsub 1mb 256kb 10")
    sub = redis.Redis.from_url(server.url).pubsub()
    sub.subscribe("news")
    assert sub.get_message(timeout=5)["type"] == "subscribe"
    publisher = server.client()
    for _ in range(400):  # 40 MB, more than the socket buffers and the limit together
        publisher.publish("news", b"x" * 100_000)

    def drain():
        while sub.get_message(timeout=1) is not None:
            pass

    redis_error("connection-closed-by-server", "py", raised(drain))
    redis_error(
        "connection-closed-by-server",
        "log",
        documented(log_lines(server, "output buffer limits"), server.port),
        vary=(NUMBERS,),
    )


@BY_BUILD
def test_max_number_of_clients_reached(build, private_redis, redis_error):
    server = private_redis(build=build)
    admin = server.client()
    gc.collect()  # close the connections of clients nobody holds any more (the readiness checks)
    eventually(lambda: admin.info("clients")["connected_clients"] == 1, timeout=10, what="only the admin connected")
    admin.config_set("maxclients", 3)
    held = [redis.Redis.from_url(server.url) for _ in range(2)]
    for client in held:
        client.ping()  # admin + 2: the server is full
    redis_error("max-number-of-clients-reached", "py", raised(lambda: redis.Redis.from_url(server.url).ping()))
    redis_error("max-number-of-clients-reached", "cli", cli(build, server.port, "PING"))
    for client in held:
        client.close()


@BY_BUILD
def test_too_many_connections(build, private_redis, redis_error):
    """The client's own pool is full: more concurrent users than max_connections."""
    url = private_redis(build=build).url
    pool = redis.ConnectionPool.from_url(url, max_connections=1)
    pool.get_connection()  # held by someone else (a pipeline, a PubSub, another thread)
    blocking = redis.BlockingConnectionPool.from_url(url, max_connections=1, timeout=1)
    blocking.get_connection()
    redis_error("too-many-connections", "py", "\n".join([
        raised(lambda: redis.Redis(connection_pool=pool).ping(), label="ConnectionPool (the default)"),
        raised(lambda: redis.Redis(connection_pool=blocking).ping(), label="BlockingConnectionPool(timeout=1)"),
    ]))  # fmt: skip
