"""docs/redis/troubleshooting.md, "Commands and values", "Replicas and clusters" (the cluster rows) and the opening
advice on repr(): every error text of those rows, produced on private servers of each Redis build
(services/redis_errors.py says which file shows which build's text)."""

from __future__ import annotations

import pickle

import pytest
import redis
from services.generations import REDIS_BUILDS
from services.procs import eventually, free_port
from services.redis_errors import cli, documented, raised, traceback_outline

pytestmark = pytest.mark.page("redis/troubleshooting.md")
BY_BUILD = pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)


@BY_BUILD
def test_wrongtype(build, private_redis, redis_error):
    server = private_redis(build=build)
    client = redis.Redis.from_url(server.url)
    client.set("recent", "a string")
    redis_error("wrongtype", "py", raised(lambda: client.lpush("recent", "item")))
    redis_error("wrongtype", "cli", cli(build, server.port, "LPUSH", "recent", "item"))


@BY_BUILD
def test_invalid_input_of_type(build, private_redis, redis_error):
    client = redis.Redis.from_url(private_redis(build=build).url)
    redis_error("invalid-input-of-type", "py", "\n".join([
        raised(lambda: client.set("user:42", {"name": "ann"})),
        raised(lambda: client.set("user:42", None)),
    ]))  # fmt: skip


@BY_BUILD
def test_unicodedecodeerror(build, private_redis, redis_error):
    url = private_redis(build=build).url
    redis.Redis.from_url(url).set("cart:7", pickle.dumps({"items": 3}))  # binary, not UTF-8
    text = raised(lambda: redis.Redis.from_url(url, decode_responses=True).get("cart:7"))
    redis_error("unicodedecodeerror", "py", text)


@BY_BUILD
def test_unknown_command(build, private_redis, redis_error):
    """A module command (RedisJSON) on a server without the module."""
    server = private_redis(build=build)
    text = raised(lambda: redis.Redis.from_url(server.url).json().set("doc", "$", {"a": 1}))
    redis_error("unknown-command", "py", text)
    redis_error("unknown-command", "cli", cli(build, server.port, "JSON.SET", "doc", "$", '{"a":1}'))


@BY_BUILD
def test_execabort(build, private_redis, redis_error):
    server = private_redis(build=build)
    client = redis.Redis.from_url(server.url)

    def transaction():
        with client.pipeline() as pipe:
            pipe.set("name", "ann")
            pipe.execute_command("SET", "other")  # no value: refused while queueing
            pipe.execute()

    with pytest.raises(redis.exceptions.ResponseError) as err:
        transaction()
    assert isinstance(err.value.__context__, redis.exceptions.ExecAbortError)
    redis_error("execabort", "py", traceback_outline(err.value))
    redis_error("execabort", "cli", cli(build, server.port, stdin="MULTI\nSET name ann\nSET other\nEXEC\n"))
    assert client.get("name") is None  # nothing ran


@BY_BUILD
def test_lock_not_owned(build, private_redis, redis_error):
    client = redis.Redis.from_url(private_redis(build=build).url)
    lock = client.lock("lock:report", timeout=0.2)
    assert lock.acquire()
    eventually(lambda: not client.exists("lock:report"), timeout=10, what="the lock to expire")  # the work took longer
    redis_error("lock-not-owned", "py", "\n".join([raised(lambda: lock.extend(10)), raised(lock.release)]))


@BY_BUILD
def test_repr_of_redis_errors(build, private_redis, redis_error):
    """repr() of a redis-py exception is its category and class only: log str(exc) or the traceback."""
    client = redis.Redis.from_url(private_redis(build=build).url)
    client.set("recent", "a string")
    port = free_port()
    lines = []
    for call in (lambda: client.lpush("recent", "item"), lambda: redis.Redis.from_url(f"redis://localhost:{port}/0").ping()):
        with pytest.raises(redis.exceptions.RedisError) as err:
            call()
        lines += [f"str(exc)  = {str(err.value)!r}", f"repr(exc) = {repr(err.value)!r}"]
    redis_error("repr", "py", documented("\n".join(lines), port))


@BY_BUILD
def test_moved(build, redis_special, redis_error):
    """A plain client on a cluster node: keys in other nodes' slots are redirected, and it does not follow."""
    redis_cluster = redis_special("cluster", build)
    node = redis_cluster.nodes[0]  # 7000, slots 0-5460
    text = raised(lambda: redis.Redis.from_url(node.url).set("foo", "bar"))  # slot 12182: node 7002
    redis_error("moved", "py", redis_cluster.ports.to_documented(text))
    shown = cli(build, node.port, "SET", "foo", "bar", documented=7000)
    redis_error("moved", "cli", redis_cluster.ports.to_documented(shown))


@BY_BUILD
def test_crossslot(build, redis_special, redis_error):
    redis_cluster = redis_special("cluster", build)
    cluster = redis.cluster.RedisCluster.from_url(redis_cluster.url)
    try:
        text = raised(lambda: cluster.mset({"user:1": "ann", "user:2": "bob"}))
    finally:
        cluster.close()
    redis_error("crossslot", "py", text)
    node = redis_cluster.nodes[0]
    redis_error(
        "crossslot",
        "cli",
        redis_cluster.ports.to_documented(
            cli(build, node.port, "-c", "MSET", "user:1", "ann", "user:2", "bob", documented=7000)
        ),
    )
