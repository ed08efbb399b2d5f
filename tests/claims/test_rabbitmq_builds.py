"""RabbitMQ 4.0 and 3.10 (services/generations.py): what the guide's RabbitMQ snippets print on each.

The pages' `#>` lines are RabbitMQ 4.0's output: tests/test_snippets.py runs every snippet on the session's
4.0 node (fixtures/rabbitmq.py `broker_node`) and checks each line. Here every plain RabbitMQ snippet (one
that needs only a vhost: not those of the private node, the TLS node or a Celery worker) runs as a reader
runs it (`python file.py`) on 4.0 and on a private node of each other build (3.10), each in a fresh vhost,
with its usual setups (tests/setups/rabbitmq.py: the producer before its consumer, the RPC server, the
queue counts checked afterwards), and what it printed on 3.10 is compared with what it printed on 4.0.
Written into snippets/rabbitmq/results/builds/ (services/build_outputs.py, the same files as
tests/claims/test_redis_builds.py writes for Redis):

- snippets.md: per build, which snippets print exactly their `#>` lines, which something else, which fail;
- <snippet>.md: for each snippet that prints something else or fails on some build, what it printed on
  each build, as content tabs that the page puts right under the snippet.

`--update-examples` rewrites the files; a normal run compares them (fixtures/results.py). Select one
generation with `-k rabbitmq-3.10` (the test ids name the build).
"""

from __future__ import annotations

import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from harness import SnippetContext
from services import build_outputs, snippets
from services.build_outputs import Run, as_shown, finished_run, output_tabs, variant_name
from services.generations import RABBITMQ_BUILDS, SNIPPET_RABBITMQ, Build
from services.paths import DOCS, SNIPPETS
from services.rabbitmq_node import RabbitNode
from services.snippets import expected_output, snippet_id
from setups import factories_for
from setups.rabbitmq import private_node, tls_node

PAGES = sorted(p.relative_to(DOCS).as_posix() for p in (DOCS / "rabbitmq").glob("*.md"))
pytestmark = pytest.mark.page(*PAGES, "compare.md")
BUILDS_DIR = SNIPPETS / "rabbitmq" / "results" / "builds"
FIXED_FILES = {"snippets.md"}
OTHER_BUILDS = tuple(b for b in RABBITMQ_BUILDS if b is not SNIPPET_RABBITMQ)  # RabbitMQ 3.10
# Setups that move a snippet off the session's vhost (a node of its own): those snippets run on 4.0 only.
NEEDS_A_NODE = {private_node, tls_node}
WORKERS = 4  # at once, in a whole-suite run (other tests share the CPU); a `--page` run starts them all at once
# Run one at a time, before the others: rpc_client.py waits 5 s for rpc_server.py's fib(30), which takes
# about that long on this loaded 2-core machine when four other snippets run beside it.
ALONE = {"rabbitmq/rpc_client.py"}
NO_REDIS = "redis://127.0.0.1:1/0"  # nothing listens: a RabbitMQ snippet that reached for Redis would fail at once


def plain_snippets() -> list[Path]:
    """Those that need only a vhost: not a node of their own, nor the 3-node cluster (AMQP_CLUSTER_URLS, whose
    nodes both builds' runs would share: tests/claims/test_rabbitmq_cluster.py runs that snippet per build)."""
    found = sorted((SNIPPETS / "rabbitmq").glob("*.py")) + sorted((SNIPPETS / "compare").glob("*rabbitmq*.py"))
    return [
        p
        for p in found
        if not set(factories_for(snippet_id(p))) & NEEDS_A_NODE and "AMQP_CLUSTER_URLS" not in p.read_text()
    ]


def run_on(node: RabbitNode, path: Path, request: pytest.FixtureRequest, tmp_path: Path) -> Run:
    """Run the snippet with its setups in a fresh vhost of `node`; a failed after-check is the run's error."""
    rel = snippet_id(path)
    done, error = None, None
    with node.vhost("builds") as vhost:
        ctx = SnippetContext(path=path, env={"AMQP_URL": vhost.url, "REDIS_URL": NO_REDIS, "SENTRY_DSN": ""},
                             request=request, tmp_path=tmp_path)  # fmt: skip
        try:
            with ctx.setups():
                done = snippets.run(path, env=ctx.env, timeout=120)
        except Exception as exc:  # noqa: BLE001 - recorded: the table says which snippet failed and how
            error = "".join(traceback.format_exception_only(exc)).strip().splitlines()[0]
    if done is None:
        return Run(tuple(expected_output(rel)), (), error)
    return finished_run(rel, done, error)


@pytest.fixture(scope="module")
def chosen(page_snippets) -> list[Path]:
    """Every plain snippet; in a `--page` run, the page's (none: this module's tests skip)."""
    if not (chosen := build_outputs.on_pages(plain_snippets(), page_snippets)):
        pytest.skip("the page includes none of these snippets")
    return chosen


@pytest.fixture(scope="module")
def snippet_runs(build_node, chosen, page_snippets, request, tmp_path_factory):
    """`snippet_runs(build)` -> {snippet id: Run}, each other build's run compared with the current build's.

    Every chosen snippet runs once per build and module, RabbitMQ 4.0 on the session's broker node, the
    others on the session's private node of that build (fixtures/rabbitmq_builds.py, shared with other
    claims). The runs are compared process output with process output, not with the `#>` lines: a print
    inside a function the snippet calls twice has `#>` lines at the print and at each call.
    Each snippet has its own vhost, so they run WORKERS at a time (most of a run is waiting on the broker).
    """
    cache: dict[str, dict[str, Run]] = {}
    with ThreadPoolExecutor() as pool:  # the other builds' nodes boot while the session's node does
        booting = {build: pool.submit(build_node, build) for build in OTHER_BUILDS}
        nodes = {SNIPPET_RABBITMQ: request.getfixturevalue("broker_node")}
        nodes.update({build: node.result() for build, node in booting.items()})

    def run_all() -> None:
        jobs = [(build, path, tmp_path_factory.mktemp(f"{build}-{path.stem}")) for build in nodes for path in chosen]

        def run(job) -> Run:
            build, path, tmp = job
            return run_on(nodes[build], path, request, tmp)

        alone = [job for job in jobs if snippet_id(job[1]) in ALONE]
        together = [job for job in jobs if job not in alone]
        done = [run(job) for job in alone]
        with ThreadPoolExecutor(WORKERS if page_snippets is None else max(1, len(together))) as pool:
            done += list(pool.map(run, together))
        by_build: dict[Build, dict[str, Run]] = {build: {} for build in nodes}
        for (build, path, _), result in zip(alone + together, done, strict=True):
            by_build[build][snippet_id(path)] = result
        current = by_build[SNIPPET_RABBITMQ]
        cache[SNIPPET_RABBITMQ.name] = current  # compared with nothing: its `#>` lines are checked by test_snippets.py
        for build in OTHER_BUILDS:
            cache[build.name] = {rel: Run(current[rel].printed, run.printed, run.error)
                                 for rel, run in by_build[build].items()}  # fmt: skip

    def runs(build: Build) -> dict[str, Run]:
        if not cache:
            run_all()
        return cache[build.name]

    return runs


@pytest.mark.snippet_runs
@pytest.mark.slow
@pytest.mark.timeout(900)  # the first test runs every snippet on every build (~2 min here under load)
@pytest.mark.parametrize("build", OTHER_BUILDS, ids=str)
def test_plain_snippets_run_on_each_build(build, snippet_runs, chosen, page_snippets):
    current = snippet_runs(SNIPPET_RABBITMQ)
    broken = {rel: run.error for rel, run in current.items() if run.error}
    assert broken == {}, f"on {SNIPPET_RABBITMQ.label} (whose output the `#>` lines are) these failed: {broken}"
    runs = snippet_runs(build)
    assert len(runs) == len(chosen) and (page_snippets is not None or len(runs) > 25)
    on_a_node = {"rabbitmq/tls_connect.py", "rabbitmq/security_1_app_user.py", "rabbitmq/durability_1_publish.py"}
    assert not on_a_node & set(runs)
    failing = {rel: run.error for rel, run in runs.items() if run.outcome == "fails"}
    assert failing == {}, f"on {build.label} these snippets stop with an error: {failing}"


@pytest.mark.snippet_runs
@pytest.mark.timeout(900)
def test_snippet_table_and_per_build_outputs(snippet_runs, results, page_snippets, request):
    others = {build: snippet_runs(build) for build in OTHER_BUILDS}
    varying = build_outputs.varying(others)
    for rel in varying:
        tabs = {SNIPPET_RABBITMQ: as_shown(rel), **{build: runs[rel] for build, runs in others.items()}}
        results(f"rabbitmq/builds/{variant_name(rel)}", output_tabs(tabs))
    if page_snippets is not None:  # a --page run: the rows of its snippets in the committed table
        assert build_outputs.table_disagreements((BUILDS_DIR / "snippets.md").read_text(), others) == []
        return
    BUILDS_DIR.mkdir(exist_ok=True)
    results("rabbitmq/builds/snippets.md", build_outputs.snippet_table(others))
    expected = {variant_name(rel) for rel in varying}
    update = request.config.getoption("update_examples", default=False)
    stale, missing = build_outputs.variant_file_problems(
        "rabbitmq", BUILDS_DIR, expected, FIXED_FILES, DOCS, update=update
    )
    assert not stale, f"files of snippets that no longer differ: {sorted(stale)}"
    assert missing == [], f"per-build outputs no page shows (put them under the snippet): {missing}"
