"""Redis snippets: the special servers some need (replica, cluster, password, TLS, small memory),
the other side of pub/sub pairs, and what must hold afterwards.

Each special server is a session fixture (tests/fixtures/redis.py `redis_special`) of the snippets' build (Redis
8.0), started with the command the page shows (snippets/redis/servers/*.txt); `env_from` points the snippet's
variables at it (services/redis_servers.py SNIPPET_SERVERS).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import redis
from services import redis_servers, snippets
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


def _only_the_default_user(ctx: SnippetContext) -> None:
    assert redis.Redis.from_url(ctx.env["REDIS_URL"], decode_responses=True).acl_users() == ["default"]


def _small_server_restored(ctx: SnippetContext) -> None:
    client = ctx.redis_small_server.client(decode_responses=True)
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"
    assert client.dbsize() == 0


def _special_server(rel: str):
    """The special server `rel` needs (services/redis_servers.py SNIPPET_SERVERS), of the snippets' build."""
    kind = redis_servers.SNIPPET_SERVERS[rel][0]
    return env_from(lambda ctx: redis_servers.snippet_env(rel, ctx.redis_special(kind)))


SETUPS = {
    "redis/replication.py": [_special_server("redis/replication.py")],
    "redis/cache_ttl_audit_replica.py": [_special_server("redis/cache_ttl_audit_replica.py")],
    "redis/cluster.py": [_special_server("redis/cluster.py")],
    "redis/password_auth.py": [_special_server("redis/password_auth.py")],
    "redis/tls_connect.py": [_special_server("redis/tls_connect.py")],
    "redis/eviction.py": [_special_server("redis/eviction.py"), afterwards(_small_server_restored)],
    "redis/notify_subscriber.py": [publisher_runs_once_subscribed],
    "redis/notify_publisher.py": [subscriber_listens],
    "redis/acl_users.py": [afterwards(_only_the_default_user)],
}
