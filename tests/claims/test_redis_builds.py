"""Redis 8.0, Valkey 8.1 and Redis 7.0 (services/generations.py): what the guide's snippets print on
each, which commands only one of them has, and which defaults differ.

The pages' `#>` lines are Redis 8.0's output. Each test here runs on private servers of every build
and writes what it saw into snippets/redis/results/builds/, which the pages include:

- snippets.md: every plain-server Redis snippet (those that need no replica, cluster, password, TLS,
  small memory or partner process) run with REDIS_URL at a private server of each build, flushed
  before each snippet: does it print exactly its `#>` lines, something else, or stop with an error?
  (The special-server snippets: test_redis_builds_servers.py, servers.md.)
- <snippet>.md: for each snippet that prints something else or fails on some build, what it printed
  there, as content tabs (one per build) that the page puts under the snippet.
- commands.md: commands that only some of the builds have (hash-field TTLs, vector sets, the
  modules Redis 8 folded in, Valkey's SET IFEQ, COMMANDLOG, CLIENT CAPA, Redis 8.2's stream options).
- differences.md, noperm.md: version fields, lazy-free defaults and what DEL does with them,
  io-threads-do-reads, small-collection encodings, the CLI's "could not connect" text, ACL denials.

`--update-examples` rewrites the files; a normal run compares them (fixtures/results.py).
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import yaml
from services import build_outputs, snippets
from services.build_outputs import Run, finished_run, output_tabs, variant_name, without_args
from services.generations import REDIS_8_0, REDIS_BUILDS, VALKEY_8_1, Build
from services.paths import DOCS, ROOT, SNIPPETS
from services.procs import eventually, free_port
from services.redis_server import RedisServer
from services.redis_servers import SNIPPET_SERVERS
from services.snippets import snippet_id

pytestmark = pytest.mark.page("redis/redis-or-valkey.md", "redis/index.md", "redis/data-types.md", "redis/use-cases.md",
                              "redis/security.md", "redis/memory-scaling.md", "redis/mistakes.md",
                              "redis/troubleshooting.md", "compare.md")  # fmt: skip
BUILDS_DIR = SNIPPETS / "redis" / "results" / "builds"
CURRENT = REDIS_8_0  # the build whose output the pages' `#>` lines show

# Redis snippets that need more than a plain server run in test_snippets.py only (setups/redis_snippets.py):
# those that read another server's URL (a replica, cluster, password, TLS, small-memory server, Sentinel)
# and the two halves of the pub/sub pair, which need each other.
PLAIN_ENV = {"REDIS_URL", "AMQP_URL", "SENTRY_DSN"}
PAIRS = {"redis/notify_subscriber.py", "redis/notify_publisher.py"}
ENV_READ = re.compile(r'os\.environ\.get\(\s*"([A-Z_]+)"')


def plain_snippets() -> list[Path]:
    found = sorted((SNIPPETS / "redis").glob("*.py")) + sorted((SNIPPETS / "compare").glob("*redis*.py"))
    return [p for p in found if snippet_id(p) not in PAIRS and set(ENV_READ.findall(p.read_text())) <= PLAIN_ENV]


def run_snippet(path: Path, url: str) -> Run:
    """Run it as a reader does (`python file.py` from its folder), REDIS_URL at `url`."""
    done = snippets.run(path, env={"REDIS_URL": url, "SENTRY_DSN": ""}, timeout=120)
    return finished_run(snippet_id(path), done)


@pytest.fixture(scope="module")
def chosen(page_snippets) -> list[Path]:
    """Every plain snippet; in a `--page` run, the page's (none: this module's tests skip)."""
    if not (chosen := build_outputs.on_pages(plain_snippets(), page_snippets)):
        pytest.skip("the page includes none of these snippets")
    return chosen


@pytest.fixture(scope="module")
def snippet_runs(redis_of_build, chosen, page_snippets):
    """`snippet_runs(build)` -> {snippet id: Run}, every chosen snippet run once per build and module, one after
    another on the build's server. A `--page` run, which has every build's test, starts all builds at once."""
    started: dict[str, Future[dict[str, Run]]] = {}

    def run_all(build: Build) -> dict[str, Run]:
        results = {}
        server = redis_of_build(build.name)
        for path in chosen:
            server.client().flushall()  # our private server only
            results[snippet_id(path)] = run_snippet(path, server.url)
        return results

    with ThreadPoolExecutor(len(REDIS_BUILDS)) as pool:

        def runs(build: Build) -> dict[str, Run]:
            for each in REDIS_BUILDS if page_snippets is not None else (build,):
                if each.name not in started:
                    started[each.name] = pool.submit(run_all, each)
            return started[build.name].result()

        yield runs


@pytest.fixture
def builds_outcome(results):
    """`builds_outcome("commands.md", table)`: snippets/redis/results/builds/commands.md must be `table`."""
    return lambda name, text: results(f"redis/builds/{name}", text)


# -- the snippets on every build ------------------------------------------------------------------


@pytest.mark.snippet_runs
@pytest.mark.slow
@pytest.mark.timeout(900)  # the first test of a build runs its 42 snippets one by one (over 300 s at load 30 here)
@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_plain_snippets_run_on_each_build(build, snippet_runs, chosen, page_snippets):
    runs = snippet_runs(build)
    assert len(runs) == len(chosen) and (page_snippets is not None or len(runs) > 30)
    assert not {"redis/replication.py", "redis/cluster.py", "redis/tls_connect.py"} & set(runs)
    if build is CURRENT:  # the `#>` lines on the pages are this build's output, every one of them
        wrong = {rel: run.error or run.printed for rel, run in runs.items() if run.outcome != "same"}
        assert wrong == {}, f"on {build.label} these snippets do not print their #> lines: {wrong}"
    else:  # the snippets written for Redis 8 stop at its first hash-field TTL command, and only those
        failing = {rel: run.error for rel, run in runs.items() if run.outcome == "fails"}
        field_ttls = {"redis/session_store_field_ttl.py", "redis/cache_parts_field_ttl.py"}
        assert set(failing) == field_ttls & set(runs), failing
        assert all(e.startswith("redis.exceptions.ResponseError: unknown command 'HSETEX'") for e in failing.values())


def header(first: str) -> list[str]:
    """The first two lines of a table with one column per build."""
    return build_outputs.header(first, REDIS_BUILDS)


@pytest.mark.snippet_runs
def test_snippet_table_and_per_build_outputs(snippet_runs, builds_outcome, page_snippets, request):
    every = {build: snippet_runs(build) for build in REDIS_BUILDS}
    varying = build_outputs.varying(every)
    for rel in varying:
        builds_outcome(variant_name(rel), output_tabs({build: runs[rel] for build, runs in every.items()}))
    if page_snippets is not None:  # a --page run: the rows of its snippets in the committed table
        assert build_outputs.table_disagreements((BUILDS_DIR / "snippets.md").read_text(), every) == []
        return
    builds_outcome("snippets.md", build_outputs.snippet_table(every))
    expected = {variant_name(rel) for rel in varying}
    update = request.config.getoption("update_examples", default=False)
    stale, missing = build_outputs.variant_file_problems(
        "redis", BUILDS_DIR, expected, FIXED_FILES | SERVER_SNIPPET_FILES, DOCS, update=update
    )
    assert not stale, f"files of snippets that no longer differ: {sorted(stale)}"
    assert missing == [], f"per-build outputs no page shows (put them under the snippet): {missing}"


FIXED_FILES = {"snippets.md", "commands.md", "differences.md", "noperm.md", "servers.md"}
# the special-server snippets' files: written and checked by test_redis_builds_servers.py
SERVER_SNIPPET_FILES = {variant_name(rel) for rel in SNIPPET_SERVERS}


# -- commands only some builds have ---------------------------------------------------------------

# (command, the builds that have it). Run in this order on a fresh server of each build.
COMMANDS: list[tuple[tuple[str, ...], set[str]]] = [
    (("HSETEX", "h", "EX", "60", "FIELDS", "1", "f", "v"), {"redis-8.0"}),
    (("HEXPIRE", "h", "60", "FIELDS", "1", "f"), {"redis-8.0"}),
    (("HTTL", "h", "FIELDS", "1", "f"), {"redis-8.0"}),
    (("HGETEX", "h", "PERSIST", "FIELDS", "1", "f"), {"redis-8.0"}),
    (("HGETDEL", "h", "FIELDS", "1", "f"), {"redis-8.0"}),
    (("VADD", "vs", "VALUES", "3", "0.1", "0.2", "0.3", "item"), {"redis-8.0"}),
    (("VSIM", "vs", "VALUES", "3", "0.1", "0.2", "0.3"), {"redis-8.0"}),
    (("JSON.SET", "doc", "$", '{"a":1}'), set()),
    (("TS.ADD", "temps", "*", "21.5"), set()),
    (("BF.ADD", "seen", "x"), set()),
    (("FT.CREATE", "idx", "SCHEMA", "title", "TEXT"), set()),
    (("SET", "k", "v2", "IFEQ", "v1"), {"valkey-8.1"}),
    (("COMMANDLOG", "GET", "1", "slow"), {"valkey-8.1"}),
    (("CLIENT", "CAPA", "redirect"), {"valkey-8.1"}),
    (("XTRIM", "jobs", "MAXLEN", "0", "ACKED"), set()),
    (("XACKDEL", "jobs", "workers", "ACKED", "IDS", "1", "0-1"), set()),
]
MISSING = re.compile(r"unknown command|unknown subcommand|syntax error")


def try_commands(server: RedisServer) -> dict[str, tuple[bool, str]]:
    """command line -> (the build has it, what redis-py returned (repr) or raised)."""
    client = server.client(decode_responses=True)
    client.set("k", "v1")
    client.xadd("jobs", {"n": 1})
    client.xgroup_create("jobs", "workers", id="0")
    answers = {}
    for argv, _ in COMMANDS:
        try:
            answers[" ".join(argv)] = (True, repr(client.execute_command(*argv)))
        except redis.ResponseError as exc:
            answers[" ".join(argv)] = (not MISSING.search(str(exc)), f"{type(exc).__name__}: {without_args(str(exc))}")
    return answers


@pytest.fixture(scope="module")
def observed(tmp_path_factory):
    """`observed(build)` -> what one fresh, config-less server of that build did (see `observe`)."""
    cache: dict[str, dict] = {}

    def get(build: Build) -> dict:
        if build.name not in cache:
            with RedisServer(tmp_path_factory.mktemp(build.name), build=build) as server:
                modules = server.client(decode_responses=True).execute_command("MODULE", "LIST")
                cache[build.name] = {"commands": try_commands(server), **observe(build, server),
                                     "modules": sorted(m["name"] for m in modules)}
        return cache[build.name]

    return get


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_commands_only_some_builds_have(build, observed):
    answers = observed(build)["commands"]
    has = {line: found for line, (found, _) in answers.items()}
    assert has == {" ".join(argv): build.name in builds for argv, builds in COMMANDS}, answers
    # a missing command always gets the same text, naming the command (the table shows it once)
    for argv, _ in COMMANDS:
        text = answers[" ".join(argv)][1]
        assert "unknown command" not in text or short(argv, text) == "unknown command", text
    # Debian's Redis 8.0 leaves out the modules Redis's own builds load (JSON, time series, Bloom, search)
    for name in ("JSON.SET", "TS.ADD", "BF.ADD", "FT.CREATE"):
        [text] = [text for command, (_, text) in answers.items() if command.startswith(name)]
        assert short((name,), text) == "unknown command", text
    # ... and loads vector sets as its one module (redis-or-valkey.md says so)
    assert observed(build)["modules"] == (["vectorset"] if build.name == "redis-8.0" else [])


def short(argv: tuple[str, ...], answer: str) -> str:
    """The table's cell text: `unknown command` stands for the one exact text every missing command gets."""
    unknown = f"ResponseError: unknown command '{argv[0]}', with args beginning with: …"
    return "unknown command" if answer == unknown else answer.removeprefix("ResponseError: ")


def test_commands_table(observed, builds_outcome):
    every = {build: observed(build)["commands"] for build in REDIS_BUILDS}
    rows = header("Command")
    example = None
    for argv, _ in COMMANDS:
        line = " ".join(argv)
        cells = []
        for build in REDIS_BUILDS:
            found, answer = every[build][line]
            cells.append(("yes: " if found else "no: ") + f"`{short(argv, answer)}`")
            if short(argv, answer) == "unknown command":
                example = example or answer
        rows.append(f"| `{line}` | " + " | ".join(cells) + " |")
    rows += ["", f"`unknown command` is redis-py's `{example}`, with each command's own name; the other refusals are"
             " `ResponseError`s with the text shown."]  # fmt: skip
    builds_outcome("commands.md", "\n".join(rows))


# -- defaults and behaviour that differ -------------------------------------------------------------

LAZYFREE = ("lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "lazyfree-lazy-eviction", "lazyfree-lazy-expire",
            "lazyfree-lazy-server-del", "replica-lazy-flush")  # fmt: skip


def observe(build: Build, server: RedisServer) -> dict:
    client = server.client(decode_responses=True)
    info = client.info("server")
    seen = {"version": (info.get("server_name", "redis"), info["redis_version"], info.get("valkey_version"))}
    seen["lazyfree"] = {name: client.config_get(name)[name] for name in LAZYFREE}
    seen["del_in_background"] = freed_in_background_by_del(client)
    try:
        client.config_set("io-threads-do-reads", "yes")
        seen["io_threads_do_reads"] = "OK"
    except redis.ResponseError as exc:
        seen["io_threads_do_reads"] = f"ResponseError: {exc}"
    client.rpush("small:list", "a", "b")
    client.sadd("small:set", "a", "b")
    seen["encodings"] = (client.object("encoding", "small:list"), client.object("encoding", "small:set"))
    seen["noperm"] = acl_denials(client, server)
    seen["cli_refused"] = cli_refused(build)
    return seen


def freed_in_background_by_del(client: redis.Redis) -> int:
    """DEL then UNLINK of two 1,000-field hashes: how many objects the lazy-free thread freed, minus UNLINK's one."""
    for key in ("big:del", "big:unlink"):
        client.hset(key, mapping={f"f{i}": "x" for i in range(1000)})
    before = client.info("memory")["lazyfreed_objects"]
    client.delete("big:del")
    client.unlink("big:unlink")
    eventually(lambda: client.info("memory")["lazyfree_pending_objects"] == 0, 10, what="lazy free done")
    return client.info("memory")["lazyfreed_objects"] - before - 1


def acl_denials(admin: redis.Redis, server: RedisServer) -> tuple[str, str]:
    admin.acl_setuser("report-reader", enabled=True, passwords=["+pw"], keys=["report:*"], commands=["+get"])
    reader = redis.Redis(
        host="127.0.0.1", port=server.port, username="report-reader", password="pw", decode_responses=True
    )
    texts = []
    for denied in (lambda: reader.set("report:daily", "0"), lambda: reader.get("user:1:email")):
        with pytest.raises(redis.exceptions.NoPermissionError) as refused:
            denied()
        texts.append(str(refused.value))
    reader.close()
    admin.acl_deluser("report-reader")
    return tuple(texts)


def cli_refused(build: Build) -> str:
    """What the build's own CLI prints for a port where nothing listens (written as port 6379)."""
    port = free_port()
    argv, env = build.command(build.cli, "-p", str(port), "PING")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    return f"$ {build.cli} -p 6379 PING\n" + (done.stdout + done.stderr).strip().replace(str(port), "6379")


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_defaults_and_behaviour_that_differ(build, observed):
    seen = observed(build)
    valkey = build is VALKEY_8_1
    assert seen["version"][0] == ("valkey" if valkey else "redis")
    # Valkey 8 frees big values in the background by default, DEL included; Redis only on UNLINK
    assert set(seen["lazyfree"].values()) == {"yes" if valkey else "no"}
    assert seen["del_in_background"] == (1 if valkey else 0)
    # io-threads-do-reads: an immutable option on 7.0, gone on 8.0 and Valkey 8.1
    gone = "Unknown option or number of arguments for CONFIG SET - 'io-threads-do-reads'"
    assert (gone in seen["io_threads_do_reads"]) == (build.generation == "current")
    assert seen["cli_refused"].endswith(
        f"Could not connect to {'Valkey' if valkey else 'Redis'} at 127.0.0.1:6379: Connection refused"
    )


def test_differences_table(observed, builds_outcome):
    every = {build: observed(build) for build in REDIS_BUILDS}

    def row(what: str, cell) -> str:
        return f"| {what} | " + " | ".join(cell(every[b]) for b in REDIS_BUILDS) + " |"

    def version(seen) -> str:
        name, redis_version, valkey_version = seen["version"]
        return f"`redis_version:{redis_version}`" + (
            f", `server_name:{name}`, `valkey_version:{valkey_version}`" if valkey_version else ""
        )

    def lazyfree(seen) -> str:
        user_del = f"`{seen['lazyfree']['lazyfree-lazy-user-del']}`"
        return user_del + ("" if len(set(seen["lazyfree"].values())) == 1 else " (others differ)")

    rows = [
        *header(""),
        row("`INFO server`", version),
        row("`CONFIG GET lazyfree-lazy-user-del` (and the other lazy-free options)", lazyfree),
        row("`DEL` of a 1,000-field hash, freed in the background (`INFO memory` `lazyfreed_objects`)",
            lambda s: f"{s['del_in_background']} object" + ("s" if s["del_in_background"] != 1 else "")),
        row("`CONFIG SET io-threads-do-reads yes`", lambda s: f"`{s['io_threads_do_reads']}`"),
        row("`OBJECT ENCODING` of a 2-element list / set", lambda s: " / ".join(f"`{e}`" for e in s["encodings"])),
        row("The CLI, nothing listening on the port", lambda s: "`" + s["cli_refused"].splitlines()[-1] + "`"),
    ]  # fmt: skip
    builds_outcome("differences.md", "\n".join(rows))
    noperm = header("ACL user denied")
    for i, what in enumerate(("a command (`SET`)", "a key (`GET user:1:email`)")):
        noperm.append(f"| {what} | " + " | ".join(f"`{every[b]['noperm'][i]}`" for b in REDIS_BUILDS) + " |")
    builds_outcome("noperm.md", "\n".join(noperm))


# -- docker-compose.yml ----------------------------------------------------------------------------


def test_compose_runs_the_tested_redis_and_offers_the_tested_valkey():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["redis"]["image"] == f"redis:{REDIS_8_0.version}"
    valkey = services["valkey"]
    assert valkey["image"] == f"valkey/valkey:{VALKEY_8_1.version}" and valkey["profiles"] == ["valkey"]
    assert valkey["ports"] == ["127.0.0.1:6380:6379"]
    page = (DOCS / "redis" / "redis-or-valkey.md").read_text()
    assert "docker compose --profile valkey up -d valkey" in page and "REDIS_URL=redis://localhost:6380/0" in page
