"""Redis snippets: the special servers some need (replica, cluster, password, TLS, small memory),
the other side of pub/sub pairs, and what must hold afterwards.

Each special server comes from a session fixture in tests/fixtures/redis.py that starts it
with the command the page shows (servers/*.txt); the setup points the snippet's env var at it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import contextmanager

import redis
from harness import SNIPPETS
from services.errors import wait_until


def env_from(fixture: str, **variables):
    """Set env vars from a fixture: `variables` maps NAME -> function(server) -> value."""

    @contextmanager
    def setup(ctx):
        server = ctx.fixture(fixture)
        for name, value in variables.items():
            ctx.env[name] = value(server)
        ctx.data[fixture] = server
        yield

    return setup


def _run_snippet(rel: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    path = SNIPPETS / rel
    return subprocess.run(
        [sys.executable, str(path)], cwd=path.parent, env={**os.environ, **env}, capture_output=True, text=True, timeout=30
    )


def _subscribed(url: str, channel: str, count: int = 1) -> bool:
    client = redis.Redis.from_url(url)
    try:
        return dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) >= count
    finally:
        client.close()


@contextmanager
def publisher_runs_once_subscribed(ctx):
    """notify_subscriber.py listens; once it has subscribed, notify_publisher.py runs (as a reader would, in a 2nd terminal)."""
    url, result = ctx.env["REDIS_URL"], {}

    def publish():
        wait_until(lambda: _subscribed(url, "notifications"), timeout=10, what="subscriber on 'notifications'")
        result["publisher"] = _run_snippet("redis/notify_publisher.py", ctx.env)

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    yield
    thread.join(15)
    publisher = result["publisher"]
    assert publisher.returncode == 0, publisher.stderr
    assert publisher.stdout.count("reached 1 subscriber(s)") == 3, publisher.stdout


@contextmanager
def subscriber_listens(ctx):
    """notify_publisher.py publishes while notify_subscriber.py (a subprocess) listens; it must have got them all."""
    path = SNIPPETS / "redis/notify_subscriber.py"
    proc = subprocess.Popen(
        [sys.executable, str(path)], cwd=path.parent, env={**os.environ, **ctx.env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: _subscribed(ctx.env["REDIS_URL"], "notifications"), timeout=10, what="subscriber")
        yield
        out, err = proc.communicate(timeout=10)  # it ends by itself on "bye"
        assert proc.returncode == 0, err
        assert out.strip() == "['order 1 shipped', 'order 2 shipped']", out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@contextmanager
def acl_user_removed(ctx):
    yield
    users = redis.Redis.from_url(ctx.env["REDIS_URL"], decode_responses=True).acl_users()
    assert users == ["default"], users


@contextmanager
def small_server_restored(ctx):
    yield
    server = ctx.data["redis_small_server"]
    client = server.client(decode_responses=True)
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"
    assert client.dbsize() == 0


SETUPS = {
    "redis/replication.py": [
        env_from("redis_replication", REDIS_URL=lambda s: s.primary.url, REDIS_REPLICA_URL=lambda s: s.replica.url)
    ],
    "redis/cluster.py": [env_from("redis_cluster", REDIS_CLUSTER_URL=lambda c: c.url)],
    "redis/password_auth.py": [
        env_from("redis_password_server", REDIS_AUTH_URL=lambda s: s.url, REDIS_PASSWORD=lambda s: s.password)
    ],
    "redis/tls_connect.py": [env_from("redis_tls_server", REDIS_TLS_URL=lambda s: s.url)],
    "redis/eviction.py": [env_from("redis_small_server", REDIS_SMALL_URL=lambda s: s.url), small_server_restored],
    "redis/notify_subscriber.py": [publisher_runs_once_subscribed],
    "redis/notify_publisher.py": [subscriber_listens],
    "redis/acl_users.py": [acl_user_removed],
}
