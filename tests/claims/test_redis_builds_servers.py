"""The Redis snippets that need a special server, on every Redis build (Redis 8.0, Valkey 8.1, Redis 7.0).

`replication.py`, `cache_ttl_audit_replica.py` (a replica), `cluster.py` (a three-node cluster),
`password_auth.py` (`requirepass`), `tls_connect.py` (TLS only) and `eviction.py` (2 MB) need servers
that the pages show how to start (snippets/redis/servers/*.txt). tests/test_snippets.py runs them on
the snippets' build, Redis 8.0, whose output their `#>` lines are. Here each other build starts the
same servers from the same transcripts with its own binaries (`valkey-server` and `valkey-cli` for
Valkey, which take the same arguments), the snippets run against them as a reader runs them, and
what they print is written next to the plain snippets' results (tests/claims/test_redis_builds.py),
with the same mechanism (services/build_outputs.py):

- snippets/redis/results/builds/servers.md: per build, which of these snippets print their `#>` lines;
- <snippet>.md: for a snippet that prints something else on some build, one tab per build, which the
  page shows right under the snippet.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from services import build_outputs, snippets
from services.build_outputs import Run, as_shown, finished_run, output_tabs, snippet_table, variant_name
from services.generations import REDIS_7_0, REDIS_8_0, REDIS_BUILDS, VALKEY_8_1, Build
from services.paths import DOCS, SNIPPETS
from services.redis_servers import SNIPPET_SERVERS, snippet_env
from services.snippets import snippet_id

pytestmark = pytest.mark.page("redis/redis-or-valkey.md", "redis/memory-scaling.md", "redis/security.md",
                              "redis/mistakes.md")  # fmt: skip
BUILDS_DIR = SNIPPETS / "redis" / "results" / "builds"
CURRENT = REDIS_8_0  # the build whose output the `#>` lines show (tests/test_snippets.py checks it)
SERVER_SNIPPETS = sorted(SNIPPET_SERVERS)
# what each snippet does on the other builds: "same" (prints its `#>` lines), "differs", "fails"
EXPECTED: dict[Build, dict[str, str]] = {
    VALKEY_8_1: dict.fromkeys(SERVER_SNIPPETS, "same"),
    REDIS_7_0: dict.fromkeys(SERVER_SNIPPETS, "same"),
}


def run_on(build: Build, rel: str, redis_special) -> Run:
    """Run snippet `rel` as a reader does (`python file.py` from its folder) against its special server of `build`."""
    if build is CURRENT:
        return as_shown(rel)
    server = redis_special(SNIPPET_SERVERS[rel][0], build)
    done = snippets.run(SNIPPETS / rel, env={**snippet_env(rel, server), "SENTRY_DSN": ""}, timeout=120)
    return finished_run(rel, done)


@pytest.fixture(scope="module")
def chosen(page_snippets) -> list[str]:
    """Every special-server snippet; in a `--page` run, the page's (none: this module's tests skip)."""
    if not (chosen := build_outputs.on_pages([SNIPPETS / rel for rel in SERVER_SNIPPETS], page_snippets)):
        pytest.skip("the page includes none of these snippets")
    return [snippet_id(p) for p in chosen]


@pytest.fixture(scope="module")
def server_snippet_runs(redis_special, chosen):
    """`server_snippet_runs(build)` -> {snippet id: Run}, each chosen snippet run once per build."""
    cache: dict[str, dict[str, Run]] = {}

    def runs(build: Build) -> dict[str, Run]:
        if build.name not in cache:
            cache[build.name] = {rel: run_on(build, rel, redis_special) for rel in chosen}
        return cache[build.name]

    return runs


@pytest.mark.snippet_runs
@pytest.mark.timeout(600)
@pytest.mark.parametrize("build", [VALKEY_8_1, REDIS_7_0], ids=str)
def test_server_snippets_run_on_each_build(build, server_snippet_runs, chosen):
    runs = server_snippet_runs(build)
    outcomes = {rel: run.outcome for rel, run in runs.items()}
    details = {rel: run.error or run.printed for rel, run in runs.items() if run.outcome != "same"}
    assert outcomes == {rel: EXPECTED[build][rel] for rel in chosen}, details


@pytest.mark.snippet_runs
@pytest.mark.timeout(600)
def test_server_snippet_table_and_per_build_outputs(server_snippet_runs, results, page_snippets, request):
    with ThreadPoolExecutor(len(REDIS_BUILDS)) as pool:  # each build starts its own servers: in parallel
        every = dict(zip(REDIS_BUILDS, pool.map(server_snippet_runs, REDIS_BUILDS), strict=True))
    varying = build_outputs.varying(every)
    for rel in varying:
        results(f"redis/builds/{variant_name(rel)}", output_tabs({build: runs[rel] for build, runs in every.items()}))
    if page_snippets is not None:  # a --page run: the rows of its snippets in the committed table
        assert build_outputs.table_disagreements((BUILDS_DIR / "servers.md").read_text(), every) == []
        return
    results("redis/builds/servers.md", snippet_table(every))
    ours = {variant_name(rel) for rel in SERVER_SNIPPETS}
    others = {p.name for p in BUILDS_DIR.glob("*.md")} - ours  # test_redis_builds.py's files
    update = request.config.getoption("update_examples", default=False)
    stale, missing = build_outputs.variant_file_problems(
        "redis", BUILDS_DIR, {variant_name(rel) for rel in varying}, others, DOCS, update=update
    )
    assert not stale, f"files of snippets that no longer differ: {sorted(stale)}"
    assert missing == [], f"per-build outputs no page shows (put them under the snippet): {missing}"
