"""Every error text on the Redis troubleshooting page, produced here on private servers.

docs/redis/troubleshooting.md has one row per error. A row shows what redis-py raises
(snippets/redis/errors/py/<row>.txt: the last line of the traceback, as Python prints it) and, where
people search for the server's own words, what `redis-cli` prints (errors/cli/<row>.txt: the
command and its output) or what the server logs (errors/log/<row>.txt). Each test below triggers
its error and compares the text with the file, after writing the private server's port as the
documented one (6379; 6390 for TLS, 7000-7002 for the cluster); `--update-examples` rewrites the
files. `test_every_row_is_produced_and_shown` fails for a file no test produces, a file the page
does not include, a row without a file, and a row heading whose text is not in its row's files.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import shlex
import shutil
import subprocess
import traceback

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from services.paths import DOCS, SNIPPETS
from services.procs import eventually, free_port
from services.sitebuild import SNIPPET_REF
from services.transcripts import PortMap

pytestmark = pytest.mark.page("redis/troubleshooting.md")

ERRORS = SNIPPETS / "redis" / "errors"
PAGE = DOCS / "redis" / "troubleshooting.md"
NO_RETRY = Retry(NoBackoff(), 0)

# row (its anchor and file name) -> the texts it shows: py = redis-py, cli = redis-cli, log = server log
ROWS: dict[str, tuple[str, ...]] = {
    "repr": ("py",),  # the page's opening advice, not a row
    "connection-refused": ("py", "cli"),
    "name-or-service-not-known": ("py", "cli"),
    "timeout-reading-from-socket": ("py",),
    "connection-reset-by-peer": ("py", "cli"),
    "connection-closed-by-server": ("py", "log"),
    "certificate-verify-failed": ("py",),
    "max-number-of-clients-reached": ("py", "cli"),
    "too-many-connections": ("py",),
    "noauth-authentication-required": ("py", "cli"),
    "wrongpass-invalid-username-password-pair": ("py", "cli"),
    "noperm-no-permissions": ("py", "cli"),
    "denied-protected-mode": ("py", "cli"),
    "oom-command-not-allowed": ("py", "cli"),
    "misconf-unable-to-persist": ("py", "cli", "log"),
    "loading-dataset-in-memory": ("py", "cli"),
    "readonly-replica": ("py", "cli"),
    "wrongtype": ("py", "cli"),
    "invalid-input-of-type": ("py",),
    "unicodedecodeerror": ("py",),
    "unknown-command": ("py", "cli"),
    "execabort": ("py", "cli"),
    "lock-not-owned": ("py",),
    "moved": ("py", "cli"),
    "crossslot": ("py", "cli"),
}
NUMBERS = r"\d+"


# -- producing and checking the texts ------------------------------------------------------------


@pytest.fixture
def show(request):
    """`show(row, kind, text, vary=())`: the page's errors/<kind>/<row>.txt must equal `text`.

    `vary` lists regexes for parts that differ from run to run or machine to machine (pids, the
    line number in CPython's _ssl.c): the file keeps the values of the run that wrote it, and a
    normal run compares the rest exactly.
    """
    update = request.config.getoption("update_examples", default=False)

    def check(row: str, kind: str, text: str, vary: tuple[str, ...] = ()) -> None:
        assert kind in ROWS[row], f"{row} does not show a {kind} text (ROWS)"
        path = ERRORS / kind / f"{row}.txt"
        text = text.rstrip("\n") + "\n"
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert path.exists(), f"{path} missing: run with --update-examples to write it"
        shown = path.read_text()

        def same(t: str) -> str:
            for pattern in vary:
                t = re.sub(pattern, "<varies>", t)
            return t

        assert same(shown) == same(text), f"{path} shows:\n{shown}\nbut the test produced:\n{text}"

    return check


def traceback_outline(exc: BaseException) -> str:
    """What Python prints for `exc` (with its chained exceptions), each run of stack frames shown as `  ...`."""
    lines: list[str] = []
    for line in "".join(traceback.format_exception(exc)).splitlines():
        if line.startswith("  "):
            if lines[-1] != "  ...":
                lines.append("  ...")
        else:
            lines.append(line)
    return "\n".join(lines)


def raised(call, *, label: str | None = None) -> str:
    """The last line of the traceback `call()` ends with (Python's own format), optionally under a `# label` line."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - whatever it raises is the text we show
        line = traceback.format_exception_only(exc)[-1].rstrip("\n")
        return f"# {label}\n{line}" if label else line
    raise AssertionError(f"no error from {call}")


def cli(port: int, *args: str, documented: int = 6379, host: str = "127.0.0.1", shown_host: str | None = None,
        env: dict[str, str] | None = None, stdin: str | None = None) -> str:  # fmt: skip
    """Run redis-cli as a terminal shows it (`--no-raw`); return `$ command` plus its output, ports as documented."""
    argv = ["redis-cli", "--no-raw", "-h", host, "-p", str(port), *args]
    result = subprocess.run(  # stderr into stdout: the order a terminal shows them in
        argv, env={**os.environ, **(env or {})}, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=30,
    )  # fmt: skip
    shown = ["redis-cli"] + (["-h", shown_host] if shown_host else []) + (["-p", str(documented)] if documented != 6379 else [])
    command = shlex.join([*shown, *args])
    if env:
        command = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + command
    if stdin is not None:
        command = f"printf {shlex.quote(stdin.replace(chr(10), chr(92) + 'n'))} | {command}"
    output = PortMap({documented: port}).to_documented(result.stdout)
    return f"$ {command}\n{output}"


def documented(text: str, real: int, port: int = 6379) -> str:
    return PortMap({port: real}).to_documented(text)


def log_lines(server, marker: str) -> str:
    """The server log lines containing `marker`, without the `pid:role date time` prefix."""
    lines = [line for line in server.log.read_text().splitlines() if marker in line]
    assert lines, f"no {marker!r} in {server.log}"
    return "\n".join(re.sub(r"^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ ", "", line) for line in lines)


# -- the page and the files agree ------------------------------------------------------------------


def page_rows() -> dict[str, tuple[str, list[str]]]:
    """{anchor: (heading, [included error files])} for every `### ... {#anchor}` row of the page."""
    rows = {}
    for section in re.split(r"\n(?=#{2,3} )", PAGE.read_text()):
        heading = section.splitlines()[0]
        anchor = re.search(r"\{#([\w-]+)\}", heading)
        includes = [ref for ref in SNIPPET_REF.findall(section) if ref.startswith("redis/errors/")]
        if heading.startswith("### "):
            assert anchor, f"row heading without an {{#anchor}}: {heading}"
            rows[anchor.group(1)] = (heading, includes)
        elif includes:
            rows[anchor.group(1) if anchor else heading] = (heading, includes)
    return rows


def test_every_row_is_produced_and_shown():
    produced = {f"redis/errors/{kind}/{row}.txt" for row, kinds in ROWS.items() for kind in kinds}
    on_disk = {p.relative_to(SNIPPETS).as_posix() for kind in ("py", "cli", "log") for p in (ERRORS / kind).glob("*.txt")}
    assert on_disk == produced, f"files no test produces: {sorted(on_disk - produced)}; missing: {sorted(produced - on_disk)}"
    rows = page_rows()
    included = {ref for _, refs in rows.values() for ref in refs}
    assert included == produced, f"not on the page: {sorted(produced - included)}; unknown: {sorted(included - produced)}"
    for anchor, (heading, refs) in rows.items():
        assert refs, f"row {anchor!r} shows no error text from a test"
        if heading.startswith("### "):
            texts = " ".join((SNIPPETS / ref).read_text() for ref in refs)
            for quoted in re.findall(r"`([^`]+)`", heading):
                assert quoted in texts, f"row {anchor!r}: heading text {quoted!r} is not in {refs}"


# -- connecting ------------------------------------------------------------------------------------


def test_connection_refused(show):
    port = free_port()  # nothing listens there
    show("connection-refused", "py", documented(raised(lambda: redis.Redis.from_url(f"redis://localhost:{port}/0").ping()), port))
    show("connection-refused", "cli", cli(port, "PING"))


def test_name_or_service_not_known(show):
    """The docker-compose service name used outside the compose network: it does not resolve."""
    show("name-or-service-not-known", "py", raised(lambda: redis.Redis.from_url("redis://redis:6379/0").ping()))
    show("name-or-service-not-known", "cli", cli(6379, "PING", host="redis", shown_host="redis"))


def test_timeout_reading_from_socket(private_redis, show):
    """redis-py 8 waits 5 s for any reply by default; a BLPOP told to wait 10 s outlasts it."""
    client = redis.Redis.from_url(private_redis().url)  # no socket_timeout given
    connection = client.connection_pool.get_connection()
    assert connection.socket_timeout == 5  # redis-py 8's default
    client.connection_pool.release(connection)
    show("timeout-reading-from-socket", "py", raised(lambda: client.blpop(["jobs"], timeout=10)))


def test_connection_reset_by_peer(redis_tls_server, show):
    """A plaintext client on a TLS-only port: the server resets the connection."""
    port = redis_tls_server.port
    text = raised(lambda: redis.Redis.from_url(f"redis://localhost:{port}/0").ping())
    show("connection-reset-by-peer", "py", documented(text, port, 6390))
    show("connection-reset-by-peer", "cli", cli(port, "PING", documented=6390))


def test_certificate_verify_failed(redis_tls_server, show):
    port = redis_tls_server.port
    text = raised(lambda: redis.Redis.from_url(f"rediss://localhost:{port}/0").ping())  # our CA is not trusted
    show("certificate-verify-failed", "py", documented(text, port, 6390), vary=(r"_ssl\.c:\d+",))
    assert redis.Redis.from_url(f"rediss://localhost:{port}/0?ssl_ca_certs={redis_tls_server.ca}").ping()  # the fix


def test_connection_closed_by_server(private_redis, show):
    """A subscriber that stops reading passes the pub/sub output buffer limit; the server drops it."""
    server = private_redis()
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

    show("connection-closed-by-server", "py", raised(drain))
    show("connection-closed-by-server", "log", documented(log_lines(server, "output buffer limits"), server.port), vary=(NUMBERS,))


def test_max_number_of_clients_reached(private_redis, show):
    server = private_redis()
    admin = server.client()
    gc.collect()  # close the connections of clients nobody holds any more (the readiness checks)
    eventually(lambda: admin.info("clients")["connected_clients"] == 1, timeout=10, what="only the admin connected")
    admin.config_set("maxclients", 3)
    held = [redis.Redis.from_url(server.url) for _ in range(2)]
    for client in held:
        client.ping()  # admin + 2: the server is full
    show("max-number-of-clients-reached", "py", raised(lambda: redis.Redis.from_url(server.url).ping()))
    show("max-number-of-clients-reached", "cli", cli(server.port, "PING"))
    for client in held:
        client.close()


def test_too_many_connections(private_redis, show):
    """The client's own pool is full: more concurrent users than max_connections."""
    url = private_redis().url
    pool = redis.ConnectionPool.from_url(url, max_connections=1)
    pool.get_connection()  # held by someone else (a pipeline, a PubSub, another thread)
    blocking = redis.BlockingConnectionPool.from_url(url, max_connections=1, timeout=1)
    blocking.get_connection()
    show("too-many-connections", "py", "\n".join([
        raised(lambda: redis.Redis(connection_pool=pool).ping(), label="ConnectionPool (the default)"),
        raised(lambda: redis.Redis(connection_pool=blocking).ping(), label="BlockingConnectionPool(timeout=1)"),
    ]))  # fmt: skip


# -- authentication and permissions ----------------------------------------------------------------


def test_noauth_authentication_required(private_redis, show):
    server = private_redis("--requirepass", "s3cret-pw", ready=False)
    eventually(server.client(password="s3cret-pw").ping, timeout=10, what="password server")
    url = server.url  # no password in it
    show("noauth-authentication-required", "py", "\n".join([
        raised(lambda: redis.Redis.from_url(url).ping(), label="redis-py 8 default (RESP3: connects with HELLO 3)"),
        raised(lambda: redis.Redis.from_url(url, protocol=2).ping(), label="protocol=2"),
    ]))  # fmt: skip
    show("noauth-authentication-required", "cli", cli(server.port, "SET", "greeting", "hello"))


def test_wrongpass(private_redis, show):
    server = private_redis("--requirepass", "s3cret-pw", ready=False)
    eventually(server.client(password="s3cret-pw").ping, timeout=10, what="password server")
    text = raised(lambda: redis.Redis.from_url(f"redis://:wrong-pw@localhost:{server.port}/0").ping())
    show("wrongpass-invalid-username-password-pair", "py", documented(text, server.port))
    show("wrongpass-invalid-username-password-pair", "cli", cli(server.port, "PING", env={"REDISCLI_AUTH": "wrong-pw"}))


def test_noperm(private_redis, show):
    server = private_redis()
    server.client().acl_setuser("report-reader", enabled=True, passwords=["+reader-pw"], keys=["report:*"], commands=["+get", "+ping"])
    reader = redis.Redis.from_url(f"redis://report-reader:reader-pw@localhost:{server.port}/0")
    show("noperm-no-permissions", "py", raised(lambda: reader.set("report:daily", "ok")))
    show("noperm-no-permissions", "cli", cli(server.port, "--user", "report-reader", "SET", "report:daily", "ok", env={"REDISCLI_AUTH": "reader-pw"}))


def non_loopback_ipv4() -> str:
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    ip = next((a for a in out if "." in a and not a.startswith("127.")), None)
    assert ip, "this row needs a non-loopback IPv4 address to connect from (`hostname -I` shows none)"
    return ip


def test_denied_protected_mode(private_redis, show):
    """No password, protected mode on (the default), a client that does not come from the loopback."""
    ip = non_loopback_ipv4()
    server = private_redis("--bind", "127.0.0.1", ip, "--protected-mode", "yes")
    show("denied-protected-mode", "py", raised(lambda: redis.Redis.from_url(f"redis://{ip}:{server.port}/0").ping()))
    text = cli(server.port, "PING", host=ip, shown_host="192.0.2.2")  # the address as a documentation one
    show("denied-protected-mode", "cli", text)


# -- memory and persistence ------------------------------------------------------------------------


def test_oom_command_not_allowed(private_redis, show):
    server = private_redis("--maxmemory-policy", "noeviction")
    client = server.client()
    client.config_set("maxmemory", client.info("memory")["used_memory"] + 1_000_000)
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        for i in range(100):
            client.set(f"page:{i}", "x" * 100_000)
    show("oom-command-not-allowed", "py", raised(lambda: redis.Redis.from_url(server.url).set("greeting", "hello")))
    show("oom-command-not-allowed", "cli", cli(server.port, "SET", "greeting", "hello"))
    assert client.get("page:0") is not None and client.delete("page:0") == 1  # reads and deletes still work


def test_misconf(private_redis, show, tmp_path):
    """Save points on, and the last background save failed (here: its directory is gone)."""
    data = tmp_path / "data"
    data.mkdir()
    server = private_redis("--dir", str(data), "--save", "3600 1")
    client = server.client(decode_responses=True)
    client.set("greeting", "hello")
    shutil.rmtree(data)
    client.bgsave()
    eventually(lambda: client.info("persistence")["rdb_last_bgsave_status"] == "err", timeout=15, what="failed BGSAVE")
    show("misconf-unable-to-persist", "py", raised(lambda: redis.Redis.from_url(server.url).set("greeting", "hi")))
    show("misconf-unable-to-persist", "cli", cli(server.port, "SET", "greeting", "hi"))
    log = log_lines(server, "RDB file") + "\n" + log_lines(server, "Background saving error")
    show("misconf-unable-to-persist", "log", log.replace(str(data), "/var/lib/redis"), vary=(NUMBERS,))
    assert client.get("greeting") == "hello"  # reads still work
    client.config_set("save", "")  # a cache needs no snapshots: without save points writes are accepted again
    assert client.set("greeting", "hi") is True


def test_loading_dataset_in_memory(private_redis, show):
    """Right after a restart Redis loads its RDB/AOF and refuses commands until done (loading slowed down here)."""
    first = private_redis(name="loading")
    with first.client().pipeline(transaction=False) as pipe:
        for i in range(10_000):
            pipe.set(f"key:{i}", i)
        pipe.execute()
    first.client().save()
    first.stop()
    # same dir (same name); 200 µs per key, and answer clients while loading
    server = private_redis("--key-load-delay", "200", "--loading-process-events-interval-bytes", "1024", name="loading", ready=False)
    client = redis.Redis.from_url(server.url)

    def loading() -> bool:
        try:
            client.ping()
        except redis.exceptions.BusyLoadingError:
            return True
        raise AssertionError("the server answered: it had finished loading already")

    eventually(loading, timeout=15, what="a client served while the server loads")
    show("loading-dataset-in-memory", "py", raised(lambda: redis.Redis.from_url(server.url).get("key:1")))
    show("loading-dataset-in-memory", "cli", cli(server.port, "PING"))  # a PING health check fails too


def test_readonly_replica(private_redis, show):
    primary = private_redis(name="primary")
    replica = private_redis("--replicaof", "127.0.0.1", str(primary.port), name="replica")
    text = raised(lambda: redis.Redis.from_url(replica.url).set("greeting", "hello"))
    show("readonly-replica", "py", text)
    show("readonly-replica", "cli", cli(replica.port, "SET", "greeting", "hello", documented=6380))


# -- commands, values and types --------------------------------------------------------------------


def test_wrongtype(private_redis, show):
    server = private_redis()
    client = redis.Redis.from_url(server.url)
    client.set("recent", "a string")
    show("wrongtype", "py", raised(lambda: client.lpush("recent", "item")))
    show("wrongtype", "cli", cli(server.port, "LPUSH", "recent", "item"))


def test_invalid_input_of_type(private_redis, show):
    client = redis.Redis.from_url(private_redis().url)
    show("invalid-input-of-type", "py", "\n".join([
        raised(lambda: client.set("user:42", {"name": "ann"})),
        raised(lambda: client.set("user:42", None)),
    ]))  # fmt: skip


def test_unicodedecodeerror(private_redis, show):
    url = private_redis().url
    redis.Redis.from_url(url).set("cart:7", pickle.dumps({"items": 3}))  # binary, not UTF-8
    show("unicodedecodeerror", "py", raised(lambda: redis.Redis.from_url(url, decode_responses=True).get("cart:7")))


def test_unknown_command(private_redis, show):
    """A module command (RedisJSON) on a server without the module."""
    server = private_redis()
    show("unknown-command", "py", raised(lambda: redis.Redis.from_url(server.url).json().set("doc", "$", {"a": 1})))
    show("unknown-command", "cli", cli(server.port, "JSON.SET", "doc", "$", '{"a":1}'))


def test_execabort(private_redis, show):
    server = private_redis()
    client = redis.Redis.from_url(server.url)

    def transaction():
        with client.pipeline() as pipe:
            pipe.set("name", "ann")
            pipe.execute_command("SET", "other")  # no value: refused while queueing
            pipe.execute()

    with pytest.raises(redis.exceptions.ResponseError) as err:
        transaction()
    assert isinstance(err.value.__context__, redis.exceptions.ExecAbortError)
    show("execabort", "py", traceback_outline(err.value))
    show("execabort", "cli", cli(server.port, stdin="MULTI\nSET name ann\nSET other\nEXEC\n"))
    assert client.get("name") is None  # nothing ran


def test_lock_not_owned(private_redis, show):
    client = redis.Redis.from_url(private_redis().url)
    lock = client.lock("lock:report", timeout=0.2)
    assert lock.acquire()
    eventually(lambda: not client.exists("lock:report"), timeout=10, what="the lock to expire")  # the work took longer
    show("lock-not-owned", "py", "\n".join([raised(lambda: lock.extend(10)), raised(lock.release)]))


def test_repr_of_redis_errors(private_redis, show):
    """repr() of a redis-py exception is its category and class only: log str(exc) or the traceback."""
    client = redis.Redis.from_url(private_redis().url)
    client.set("recent", "a string")
    port = free_port()
    lines = []
    for call in (lambda: client.lpush("recent", "item"), lambda: redis.Redis.from_url(f"redis://localhost:{port}/0").ping()):
        with pytest.raises(redis.exceptions.RedisError) as err:
            call()
        lines += [f"str(exc)  = {str(err.value)!r}", f"repr(exc) = {repr(err.value)!r}"]
    show("repr", "py", documented("\n".join(lines), port))


# -- cluster ---------------------------------------------------------------------------------------


def test_moved(redis_cluster, show):
    """A plain client on a cluster node: keys in other nodes' slots are redirected, and it does not follow."""
    node = redis_cluster.nodes[0]  # 7000, slots 0-5460
    text = raised(lambda: redis.Redis.from_url(node.url).set("foo", "bar"))  # slot 12182: node 7002
    show("moved", "py", redis_cluster.ports.to_documented(text))
    show("moved", "cli", redis_cluster.ports.to_documented(cli(node.port, "SET", "foo", "bar", documented=7000)))


def test_crossslot(redis_cluster, show):
    cluster = redis.cluster.RedisCluster.from_url(redis_cluster.url)
    try:
        text = raised(lambda: cluster.mset({"user:1": "ann", "user:2": "bob"}))
    finally:
        cluster.close()
    show("crossslot", "py", text)
    node = redis_cluster.nodes[0]
    show("crossslot", "cli", redis_cluster.ports.to_documented(cli(node.port, "-c", "MSET", "user:1", "ann", "user:2", "bob", documented=7000)))
