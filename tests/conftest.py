"""pytest's entry to the suite: assert rewriting for the harness, the fixture plugins, options and markers.

Fixtures live in tests/fixtures/ (every module there is a plugin), helpers in tests/services/,
what each snippet needs around it in tests/setups/.

Parallel by default: a run of the whole suite (no test paths given, no --page, no --update-examples) uses
GUIDE_WORKERS xdist workers (default 4: most tests wait on servers, not on the CPU) with `--dist loadgroup`,
each test in the group services/shards.py gives it, and a per-test timeout of 900 s instead of 300 s (tests
share the CPU). `-n 0` runs in one process; `-n N` picks N.
"""

from __future__ import annotations

import os
import pkgutil
from pathlib import Path

import pytest
from _pytest.config import Config

# Before anything imports them: a failed check in these modules shows its values, not a bare AssertionError.
pytest.register_assert_rewrite("harness", "setups", "services", "fixtures")

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# Each rabbitmqctl run is an Erlang node listening on a port of 35672..RABBITMQ_CTL_DIST_PORT_MAX (default 35682:
# 11 at once, machine-wide). Parallel workers run more at once than that; give them room.
os.environ.setdefault("RABBITMQ_CTL_DIST_PORT_MAX", "35771")

# Per-tool fixtures live in tests/fixtures/<module>.py; every module there is loaded as a plugin.
pytest_plugins = sorted(f"fixtures.{m.name}" for m in pkgutil.iter_modules([str(Path(__file__).parent / "fixtures")]))


def pytest_configure(config):
    config.addinivalue_line("markers", "page(*pages): the pages (e.g. 'redis/index.md') whose claims the test proves")
    config.addinivalue_line("markers", "snippet_runs: runs its pages' snippets themselves (on every server build, or "
                            "console transcripts): `--page` runs it without `--claims`")
    # Import (and so assertion-rewrite) every setup module now, in the main thread: compiled later while other
    # threads compile too, CPython 3.11.7 can raise "AST constructor recursion depth mismatch" (gh-106905).
    from setups import registry

    registry()


def pytest_report_header(config):
    from services.paths import SNIPPETS

    return f"snippets: {SNIPPETS}"


def pytest_addoption(parser):
    parser.addoption(
        "--page", action="append", default=[], metavar="PAGE",
        help="run only a page's snippets, e.g. --page redis/data-types: the tests of the snippets it includes, "
        "with their setups, and the tests marked page(...) and snippet_runs with it (repeatable)",
    )
    parser.addoption(
        "--claims", action="store_true",
        help="with --page: also the page's claim tests (every test marked page(...) with it: faults, timeouts)",
    )
    parser.addoption(
        "--shard", action="append", default=[], metavar="SHARD",
        help="run only one CI shard's tests (repeatable): a tool, split by server generation for Redis and "
        "RabbitMQ, e.g. --shard redis-current (services/shards.py lists them)",
    )


DEFAULT_WORKERS = 4
PARALLEL_TIMEOUT = 900.0  # seconds per test (setup included) when the workers run in parallel


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Before xdist reads -n: the whole suite runs on GUIDE_WORKERS workers unless told otherwise (see above)."""
    if hasattr(config, "workerinput"):  # a worker parses the command line again: take the timeout chosen below
        if (timeout := config.workerinput.get("guide_timeout")) is not None:
            config.option.timeout = timeout
        return
    if os.environ.get("PYTEST_XDIST_WORKER") or not config.pluginmanager.hasplugin("xdist"):
        return
    if config.option.numprocesses is None:  # no -n given
        focused = config.getoption("page") or config.getoption("update_examples", False)
        if focused or config.args_source == Config.ArgsSource.ARGS or config.getoption("collectonly"):
            return
        config.option.numprocesses = int(os.environ.get("GUIDE_WORKERS", DEFAULT_WORKERS))
    if config.option.numprocesses in (0, "0"):
        return
    if config.option.dist == "no":
        config.option.dist = "loadgroup"
    config.option.loadscopereorder = False  # the groups come longest first (services/shards.py), not biggest first
    if config.option.timeout is None and not os.environ.get("PYTEST_TIMEOUT"):
        # tests share the CPU with the other workers' servers: a heavy first test (a cluster, the browser pass)
        # takes longer than alone; pytest.ini's timeout is for a run in one process
        config.option.timeout = PARALLEL_TIMEOUT


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist starts a worker: hand it the timeout chosen above (a worker reads only the command line)."""
    node.workerinput["guide_timeout"] = node.config.option.timeout


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` with the groups of services/shards.py: a worker takes a whole group at a time. (xdist's
    own loadgroup reads `xdist_group` marks through `item._nodeid`, which pytest 9 no longer uses for node ids.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from services.shards import group_of
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return ByGroup(config, log)


def pytest_collection_modifyitems(config, items):
    from services.shards import SHARDS, group_of, shard_of, start_rank

    if shards := config.getoption("shard"):
        if unknown := set(shards) - set(SHARDS):
            raise pytest.UsageError(f"--shard {', '.join(sorted(unknown))}: no such shard (known: {', '.join(SHARDS)})")
        drop = [item for item in items if shard_of(item.nodeid) not in shards]
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if shard_of(item.nodeid) in shards]
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the order the workers take the groups in (one process: file order)
        items.sort(key=lambda item: start_rank(group_of(item.nodeid)))
    _only_pages(config, items)


def _only_pages(config, items) -> None:
    pages = page_paths(config)
    if not pages:
        return
    from fixtures.session import PAGE_SNIPPETS
    from services.sitebuild import snippets_on

    included = config.stash[PAGE_SNIPPETS] = snippets_on(pages)
    claims = config.getoption("claims")
    keep, drop = [], []
    for item in items:
        # a parameter's own page marker (a transcript shown on some pages only) replaces its module's and test's
        param_marks = getattr(getattr(item, "callspec", None), "marks", [])
        markers = [m for m in param_marks if m.name == "page"] or item.iter_markers("page")
        marked = {page for marker in markers for page in marker.args} & set(pages)
        snippet = getattr(item, "callspec", None) and item.originalname == "test_snippet" and item.callspec.id
        wanted = snippet in included or (marked and (claims or item.get_closest_marker("snippet_runs")))
        (keep if wanted else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


def page_paths(config) -> list[str]:
    """The pages of `--page` options, as paths under docs/ ('redis/data-types.md'); [] in a whole-suite run."""
    from services.sitebuild import page_file

    try:
        return [page_file(page) for page in config.getoption("page")]
    except LookupError as exc:
        raise pytest.UsageError(f"--page {exc}") from None
