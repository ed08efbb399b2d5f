"""docs/redis/troubleshooting.md, "Passwords and permissions", "Memory, disk and restarts" and the replica row:
every error text of those rows, produced on private servers of each Redis build (services/redis_errors.py says
which file shows which build's text)."""

from __future__ import annotations

import shutil

import pytest
import redis
from services.generations import REDIS_BUILDS
from services.procs import eventually
from services.redis_errors import NUMBERS, cli, documented, log_lines, non_loopback_ipv4, raised

pytestmark = pytest.mark.page("redis/troubleshooting.md")
BY_BUILD = pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)


@BY_BUILD
def test_noauth_authentication_required(build, private_redis, redis_error):
    server = private_redis("--requirepass", "s3cret-pw", ready=False, build=build)
    eventually(server.client(password="s3cret-pw").ping, timeout=10, what="password server")
    url = server.url  # no password in it
    redis_error("noauth-authentication-required", "py", "\n".join([
        raised(lambda: redis.Redis.from_url(url).ping(), label="redis-py 8 default (RESP3: connects with HELLO 3)"),
        raised(lambda: redis.Redis.from_url(url, protocol=2).ping(), label="protocol=2"),
    ]))  # fmt: skip
    redis_error("noauth-authentication-required", "cli", cli(build, server.port, "SET", "greeting", "hello"))


@BY_BUILD
def test_wrongpass(build, private_redis, redis_error):
    server = private_redis("--requirepass", "s3cret-pw", ready=False, build=build)
    eventually(server.client(password="s3cret-pw").ping, timeout=10, what="password server")
    text = raised(lambda: redis.Redis.from_url(f"redis://:wrong-pw@localhost:{server.port}/0").ping())
    redis_error("wrongpass-invalid-username-password-pair", "py", documented(text, server.port))
    wrong = cli(build, server.port, "PING", env={"REDISCLI_AUTH": "wrong-pw"})
    redis_error("wrongpass-invalid-username-password-pair", "cli", wrong)


@BY_BUILD
def test_noperm(build, private_redis, redis_error):
    server = private_redis(build=build)
    server.client().acl_setuser(
        "report-reader", enabled=True, passwords=["+reader-pw"], keys=["report:*"], commands=["+get", "+ping"]
    )
    reader = redis.Redis.from_url(f"redis://report-reader:reader-pw@localhost:{server.port}/0")
    redis_error("noperm-no-permissions", "py", raised(lambda: reader.set("report:daily", "ok")))
    redis_error(
        "noperm-no-permissions",
        "cli",
        cli(build, server.port, "--user", "report-reader", "SET", "report:daily", "ok",
            env={"REDISCLI_AUTH": "reader-pw"}),  # fmt: skip
    )


@BY_BUILD
def test_denied_protected_mode(build, private_redis, redis_error):
    """No password, protected mode on (the default), a client that does not come from the loopback."""
    ip = non_loopback_ipv4()
    server = private_redis("--bind", "127.0.0.1", ip, "--protected-mode", "yes", build=build)
    redis_error("denied-protected-mode", "py", raised(lambda: redis.Redis.from_url(f"redis://{ip}:{server.port}/0").ping()))
    text = cli(build, server.port, "PING", host=ip, shown_host="192.0.2.2")  # the address as a documentation one
    redis_error("denied-protected-mode", "cli", text)


@BY_BUILD
def test_oom_command_not_allowed(build, private_redis, redis_error):
    server = private_redis("--maxmemory-policy", "noeviction", build=build)
    client = server.client()
    client.config_set("maxmemory", client.info("memory")["used_memory"] + 1_000_000)
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        for i in range(100):
            client.set(f"page:{i}", "x" * 100_000)
    # Full. Memory then drops a little by itself (a big query buffer shrunk, idle connections closed), enough for a
    # short SET to fit now and then; a limit 500 kB under the usage keeps the server full while the texts are taken.
    client.config_set("maxmemory", client.info("memory")["used_memory"] - 500_000)
    text = raised(lambda: redis.Redis.from_url(server.url).set("greeting", "hello"))
    redis_error("oom-command-not-allowed", "py", text)
    redis_error("oom-command-not-allowed", "cli", cli(build, server.port, "SET", "greeting", "hello"))
    assert client.get("page:0") is not None and client.delete("page:0") == 1  # reads and deletes still work


@BY_BUILD
def test_misconf(build, private_redis, redis_error, tmp_path):
    """Save points on, and the last background save failed (here: its directory is gone)."""
    data = tmp_path / "data"
    data.mkdir()
    server = private_redis("--dir", str(data), "--save", "3600 1", build=build)
    client = server.client(decode_responses=True)
    client.set("greeting", "hello")
    shutil.rmtree(data)
    client.bgsave()
    eventually(lambda: client.info("persistence")["rdb_last_bgsave_status"] == "err", timeout=15, what="failed BGSAVE")
    text = raised(lambda: redis.Redis.from_url(server.url).set("greeting", "hi"))
    redis_error("misconf-unable-to-persist", "py", text)
    redis_error("misconf-unable-to-persist", "cli", cli(build, server.port, "SET", "greeting", "hi"))
    log = log_lines(server, "RDB file") + "\n" + log_lines(server, "Background saving error")
    redis_error("misconf-unable-to-persist", "log", log.replace(str(data), "/var/lib/redis"), vary=(NUMBERS,))
    assert client.get("greeting") == "hello"  # reads still work
    client.config_set("save", "")  # a cache needs no snapshots: without save points writes are accepted again
    assert client.set("greeting", "hi") is True


@BY_BUILD
def test_loading_dataset_in_memory(build, private_redis, redis_error):
    """Right after a restart Redis loads its RDB/AOF and refuses commands until done (loading slowed down here)."""
    first = private_redis(name="loading", build=build)
    with first.client().pipeline(transaction=False) as pipe:
        for i in range(10_000):
            pipe.set(f"key:{i}", i)
        pipe.execute()
    first.client().save()
    first.stop()
    # same dir (same name); 200 µs per key, and answer clients while loading
    server = private_redis("--key-load-delay", "200", "--loading-process-events-interval-bytes", "1024",
                           name="loading", ready=False, build=build)  # fmt: skip
    client = redis.Redis.from_url(server.url)

    def loading() -> bool:
        try:
            client.ping()
        except redis.exceptions.BusyLoadingError:
            return True
        raise AssertionError("the server answered: it had finished loading already")

    eventually(loading, timeout=15, what="a client served while the server loads")
    redis_error("loading-dataset-in-memory", "py", raised(lambda: redis.Redis.from_url(server.url).get("key:1")))
    redis_error("loading-dataset-in-memory", "cli", cli(build, server.port, "PING"))  # a PING health check fails too


@BY_BUILD
def test_readonly_replica(build, private_redis, redis_error):
    primary = private_redis(name="primary", build=build)
    replica = private_redis("--replicaof", "127.0.0.1", str(primary.port), name="replica", build=build)
    text = raised(lambda: redis.Redis.from_url(replica.url).set("greeting", "hello"))
    redis_error("readonly-replica", "py", text)
    redis_error("readonly-replica", "cli", cli(build, replica.port, "SET", "greeting", "hello", documented=6380))
