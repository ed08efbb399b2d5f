"""The harness checks itself: setups point at real snippets, failed checks show their values, waiting is
done one way, claims name their pages, and the snippet lint rules are the ones editors use."""

from __future__ import annotations

import ast
import gc
import importlib
import pkgutil
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from _pytest.assertion.rewrite import AssertionRewritingHook
from ruff.__main__ import find_ruff_bin
from services import build_outputs, generations, results
from services.build_outputs import Run
from services.errors import ServiceUnavailable
from services.paths import DOCS, ROOT, SNIPPETS, TESTS
from services.procs import eventually
from services.snippets import files, snippet_id
from setups import registry
from setups.common import afterwards

# -- the setup registry ---------------------------------------------------------------------------


def test_every_setup_key_names_a_snippet():
    """A renamed snippet must not keep passing without its checks: every key is a snippet, or a folder holding one."""
    ids = {snippet_id(path) for path in files()}
    def names_one(key: str) -> bool:
        return any(i.startswith(key) for i in ids) if key.endswith("/") else key in ids

    assert [key for key in registry() if not names_one(key)] == []


# -- failed checks read well ----------------------------------------------------------------------


def test_every_harness_module_is_assert_rewritten():
    names = ["harness", *(f"{pkg}.{m.name}" for pkg in ("services", "setups", "fixtures")
                          for m in pkgutil.iter_modules([str(TESTS / pkg)]))]
    plain = [name for name in names if not isinstance(importlib.import_module(name).__loader__, AssertionRewritingHook)]
    assert plain == []


def test_a_failed_after_check_shows_the_values_it_compared():
    from setups.sentry import _nightly_report

    event = {"data": {"message": "Nightly report failed", "level": "info", "environment": "tutorial", "release": "x"}}
    ctx = SimpleNamespace(app=None, workers=[])
    with pytest.raises(AssertionError) as failed, afterwards(lambda _: _nightly_report([event]), timeout=0.3)(ctx):
        pass
    assert "'Nightly report failed' == 'Nightly report finished'" in str(failed.value)
    assert "still failing after 0.3 s" in "".join(failed.value.__notes__)


def test_a_shape_only_table_that_differs_shows_both_tables(tmp_path):
    shown = tmp_path / "t.md"
    shown.write_text("| a | 1 |\n")
    with pytest.raises(AssertionError) as failed:
        results.check(shown, "| a | 1 |\n| b | 2 |", vary=True)
    message = str(failed.value)
    assert message.index("The page shows:") < message.index("| a | 1 |") < message.index("but the test measured:")
    assert message.index("but the test measured:") < message.index("| b | 2 |")


# -- eventually: the one way to wait --------------------------------------------------------------


def test_eventually_runs_the_check_at_least_once():
    calls = []
    assert eventually(lambda: calls.append(1), 0) is None
    assert calls == [1]


def test_eventually_raises_the_last_failure_with_its_values():
    tries = iter(range(100))

    def check() -> None:
        n = next(tries)
        assert n == -1

    with pytest.raises(AssertionError) as failed:
        eventually(check, 0.3, interval=0.05, what="a negative number")
    assert "assert 0 == -1" not in str(failed.value) and " == -1" in str(failed.value)  # the last try, not the first
    assert failed.value.__notes__ == ["still failing after 0.3 s: a negative number"]


def test_eventually_returns_what_it_waited_for():
    arrived: list[int] = []

    def events() -> list[int]:
        arrived.append(len(arrived))
        return arrived[:] if len(arrived) >= 3 else []

    assert eventually(events, 5, interval=0.01) == [0, 1, 2]


def test_eventually_names_what_never_came():
    with pytest.raises(AssertionError, match=r"still \[\] after 0.1 s: events in Bugsink"):
        eventually(list, 0.1, interval=0.02, what="events in Bugsink")


def test_eventually_stops_at_once_when_a_service_is_down():
    started, calls = time.monotonic(), []

    def check():
        calls.append(1)
        raise ServiceUnavailable("Redis", "redis://127.0.0.1:1/0", "refused")

    with pytest.raises(ServiceUnavailable):
        eventually(check, 30)
    assert calls == [1] and time.monotonic() - started < 5


# -- claims say which page they prove -------------------------------------------------------------


def _pages_of(node: ast.AST) -> list[str]:
    """The string arguments of every `pytest.mark.page(...)` call inside `node`."""
    return [arg.value for call in ast.walk(node) if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "page" for arg in call.args if isinstance(arg, ast.Constant)]


def test_every_claim_names_the_pages_it_proves():
    """`python3 tests/run.py --page <page>` runs a page's claims: each claim test names its pages (`page` marker)."""
    unnamed, unknown = [], []
    for module in sorted((TESTS / "claims").glob("test_*.py")):
        tree = ast.parse(module.read_text())
        module_pages = [p for node in tree.body if isinstance(node, ast.Assign)
                        and any(getattr(t, "id", "") == "pytestmark" for t in node.targets) for p in _pages_of(node)]
        for test in [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]:
            pages = module_pages + [p for decorator in test.decorator_list for p in _pages_of(decorator)]
            unnamed += [] if pages else [f"{module.name}::{test.name}"]
            unknown += [f"{module.name}::{test.name}: {p}" for p in pages if not (DOCS / p).is_file()]
    assert (unnamed, unknown) == ([], [])


# -- the snippet lint rules are the editors' ------------------------------------------------------


def test_editors_lint_snippets_with_the_rules_the_tests_use():
    """tests/test_snippets.py runs ruff with snippets/ruff.toml; a plain `ruff check` of a snippet finds that file."""
    done = subprocess.run([find_ruff_bin(), "check", "--show-settings", str(SNIPPETS / "redis" / "set_get_ttl.py")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert f'Settings path: "{SNIPPETS / "ruff.toml"}"' in done.stdout


def test_nobody_formats_snippets():
    """`ruff format` would rewrite every `#>` output line to `# >`: snippets/ruff.toml excludes them all."""
    args = [find_ruff_bin(), "format", "--check", str(SNIPPETS), str(SNIPPETS / "redis" / "set_get_ttl.py")]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_page_run_checks_its_snippets_rows_of_the_committed_build_table():
    """`--page` runs a page's snippets only on every build; each must sit in the column the full run put it in."""
    valkey = generations.VALKEY_8_1
    table = build_outputs.snippet_table(
        {valkey: {"redis/a.py": Run(("1",), ("1",), None), "redis/b.py": Run(("1",), ("2",), None)}}
    )
    same_as_table = {valkey: {"redis/b.py": Run(("1",), ("2",), None)}}
    assert build_outputs.table_disagreements(table, same_as_table) == []
    now_fails = {valkey: {"redis/a.py": Run(("1",), (), "ResponseError: unknown command")}}
    assert build_outputs.table_disagreements(table, now_fails) == [
        "Valkey 8.1: redis/a.py is 'same' in the table, 'fails' now"
    ]
    no_row = {generations.REDIS_8_0: {"redis/a.py": Run(("1",), ("1",), None)}}
    missing = f"Redis 8.0 ({generations.REDIS_8_0.version}): no row in the table"
    assert build_outputs.table_disagreements(table, no_row) == [missing]


def _collected(*args: str) -> set[str]:
    """What a run of the files these checks name would run (collecting them only: a few seconds, not 25 s for all)."""
    claims = ["test_redis_builds.py", "test_redis_cli_transcripts.py", "test_redis_pubsub_slow_subscriber.py"]
    files = ["tests/test_snippets.py", *(f"tests/claims/{name}" for name in claims)]
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *files, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_a_page_run_takes_the_pages_snippets_and_with_claims_its_claims():
    """`--page redis/data-types`: its snippets, their runs on every build, its own transcripts; `--claims` adds
    the claim tests marked with the page."""
    snippets = _collected("--page", "redis/data-types")
    with_claims = _collected("--page", "redis/data-types", "--claims")
    assert "tests/test_snippets.py::test_snippet[redis/hashes.py]" in snippets
    assert "tests/test_snippets.py::test_snippet[redis/set_get_ttl.py]" not in snippets  # another page's
    assert "tests/claims/test_redis_builds.py::test_plain_snippets_run_on_each_build[valkey-8.1]" in snippets
    assert "tests/claims/test_redis_cli_transcripts.py::test_cli_transcript[redis-7.0-cli/hashes.txt]" in snippets
    assert not any("cli/cluster.txt" in test for test in with_claims)  # shown on memory-scaling only
    claim = "tests/claims/test_redis_pubsub_slow_subscriber.py::test_a_slow_subscriber_is_disconnected"
    assert claim not in snippets and claim in with_claims
    assert snippets < with_claims


def test_a_result_a_snippet_leaves_alive_is_cut_from_its_backend_before_its_redis_stops(tmp_path):
    """Collected after its Redis stopped, such a result retried that server 20 times a second apart from
    AsyncResult.__del__, in whatever later test the collector ran (a full run's log). Cut loose, it does nothing."""
    from celery import Celery
    from celery.result import AsyncResult
    from django.conf import LazySettings
    from harness import forget_snippet
    from services.redis_server import RedisServer

    unconfigured = LazySettings()  # a lazy proxy alive meanwhile: isinstance() on it raises ImproperlyConfigured
    with RedisServer(tmp_path, name="leftover-result") as server:
        app = Celery("leftover", broker="memory://", backend=server.url)
        held = {"result": app.AsyncResult("no-such-task")}  # what a snippet's module globals keep
        held["result"].backend.add_pending_result(held["result"])  # subscribed, as get() and then() do
        forget_snippet(set(sys.modules))
        assert held["result"].backend is None
    assert not [o for o in gc.get_objects() if issubclass(type(o), AsyncResult) and o.backend is not None]
    del unconfigured
