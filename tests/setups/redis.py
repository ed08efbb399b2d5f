"""Redis snippets: the special servers some need (replica, cluster, password, TLS, small memory),
the other side of pub/sub pairs, and what must hold afterwards.

Each special server is a session fixture (tests/fixtures/redis.py) started with the command the page
shows (snippets/redis/servers/*.txt); `env_from` points the snippet's variable at it.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import redis
from services import snippets
from services.procs import eventually

from setups.common import afterwards, env_from

if TYPE_CHECKING:
    from harness import SnippetContext


def _subscribed(url: str, channel: str) -> bool:
    with redis.Redis.from_url(url) as client:
        return dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) >= 1


@contextmanager
def publisher_runs_once_subscribed(ctx: SnippetContext):
    """notify_subscriber.py listens; once it has subscribed, notify_publisher.py runs (as a reader would run it,
    in a second terminal)."""
    url, result = ctx.env["REDIS_URL"], {}

    def publish():
        eventually(lambda: _subscribed(url, "notifications"), 10, what="subscriber on 'notifications'")
        result["publisher"] = snippets.run("redis/notify_publisher.py", env=ctx.env, timeout=30)

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    yield
    thread.join(15)
    publisher = result["publisher"].ok()
    assert publisher.stdout.count("reached 1 subscriber(s)") == 3, publisher.stdout


@contextmanager
def subscriber_listens(ctx: SnippetContext):
    """notify_publisher.py publishes while notify_subscriber.py (a subprocess) listens; it must have got them all."""
    log = ctx.tmp_path / "subscriber.log"
    with snippets.background("redis/notify_subscriber.py", env=ctx.env, log=log) as proc:
        eventually(lambda: _subscribed(ctx.env["REDIS_URL"], "notifications"), 10, what="subscriber")
        yield
        assert proc.wait(timeout=10) == 0, log.read_text()  # it ends by itself on "bye"
        assert log.read_text().strip() == "['order 1 shipped', 'order 2 shipped']"


def on_build(name: str):
    """The snippet runs on a private server of build `name` (services/generations.py), flushed first, instead of the
    default one: for snippets that need Redis 8, whose `#>` lines are Redis 8.0's output."""

    @contextmanager
    def setup(ctx: SnippetContext):
        server = ctx.redis_of_build(name)
        server.client().flushall()  # our private server only
        ctx.env["REDIS_URL"] = server.url
        yield

    return setup


def _only_the_default_user(ctx: SnippetContext) -> None:
    assert redis.Redis.from_url(ctx.env["REDIS_URL"], decode_responses=True).acl_users() == ["default"]


def _small_server_restored(ctx: SnippetContext) -> None:
    client = ctx.redis_small_server.client(decode_responses=True)
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"
    assert client.dbsize() == 0


SETUPS = {
    "redis/replication.py": [
        env_from(lambda ctx: {"REDIS_URL": ctx.redis_replication.primary.url,
                              "REDIS_REPLICA_URL": ctx.redis_replication.replica.url})
    ],
    "redis/cache_ttl_audit_replica.py": [
        env_from(lambda ctx: {"REDIS_URL": ctx.redis_replication.primary.url,
                              "REDIS_REPLICA_URL": ctx.redis_replication.replica.url})
    ],
    "redis/cluster.py": [env_from(lambda ctx: {"REDIS_CLUSTER_URL": ctx.redis_cluster.url})],
    "redis/password_auth.py": [
        env_from(lambda ctx: {"REDIS_AUTH_URL": ctx.redis_password_server.url,
                              "REDIS_PASSWORD": ctx.redis_password_server.password})
    ],
    "redis/tls_connect.py": [env_from(lambda ctx: {"REDIS_TLS_URL": ctx.redis_tls_server.url})],
    "redis/eviction.py": [
        env_from(lambda ctx: {"REDIS_SMALL_URL": ctx.redis_small_server.url}),
        afterwards(_small_server_restored),
    ],
    "redis/notify_subscriber.py": [publisher_runs_once_subscribed],
    "redis/notify_publisher.py": [subscriber_listens],
    "redis/acl_users.py": [on_build("redis-8.0"), afterwards(_only_the_default_user)],
    # Redis 8.0 only (hash-field TTLs); tests/claims/test_redis_builds.py runs them on every build
    "redis/session_store_field_ttl.py": [on_build("redis-8.0")],
    "redis/cache_parts_field_ttl.py": [on_build("redis-8.0")],
}
