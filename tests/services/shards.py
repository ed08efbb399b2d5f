"""How the suite splits: into CI shards (one GitHub job each) and into xdist groups (what one worker runs together).

Both are functions of a test's node id alone, so every test has exactly one shard and one group.

Shards (`--shard NAME`, the matrix of .github/workflows/tests.yml): per tool, and for Redis and RabbitMQ also per
server generation (services/generations.py). A test belongs to a generation by the build named in its id
(`[redis-8.0]`, `[rabbitmq-3.10-no_queue]`); tests that name no build run on the default builds (Redis 7.0,
RabbitMQ 3.10), the debian12 generation. The tool of a test: its claim file (tests/claims/test_<tool>_*.py), its
snippet's folder (test_snippets.py[<tool>/...]), the build kind for tests/test_server_builds.py; the site checks
are `site`, except those that drive a browser (`browser`).

Groups (`--dist loadgroup`): a worker runs a whole group, so a module's module-scoped fixtures (a cluster kill
measured once for both builds, a failover per build) run once, and the session services a group needs (a
private RabbitMQ node, Bugsink, Celery workers) start on as few workers as possible. A group is a test file,
except for the big files whose tests share nothing heavier than a session fixture: the snippets (a group per
page: the snippets of the first page that includes them run together and in order, as `--page` runs them),
the build-parametrized troubleshooting claims (a group per build), and the files whose long tests are
independent of each other (a group per test: a Celery page walk has a broker of its own, a consumer-timeout test
its own vhosts on its build's node), which different workers can then run at once. Workers take groups
longest first (`LONGEST_FIRST`, from the JUnit report of a full run), so no long group is left for the end.
"""

from __future__ import annotations

import re
from functools import cache

from .sitebuild import snippet_refs

GENERATIONS = {"redis-8.0": "current", "valkey-8.1": "current", "rabbitmq-4.0": "current",
               "redis-7.0": "debian12", "rabbitmq-3.10": "debian12"}  # fmt: skip
SPLIT_BY_GENERATION = ("redis", "rabbitmq")
TOOLS = ("redis", "rabbitmq", "celery", "sentry", "compare", "capstone", "site", "browser")
SHARDS = tuple(
    f"{tool}-{generation}" if tool in SPLIT_BY_GENERATION else tool
    for tool in TOOLS
    for generation in (("current", "debian12") if tool in SPLIT_BY_GENERATION else ("",))
)
SITE_FILES = {"test_browser.py": "browser", "test_browser_faults.py": "browser", "test_site_budget.py": "browser",
              "test_palette.py": "browser",
              "test_capstone.py": "capstone", "test_capstone_files.py": "capstone"}  # fmt: skip
# files split into groups by the build their tests name (each build's tests still run on one worker)
GROUP_BY_BUILD = ("test_rabbitmq_troubleshooting.py", "test_redis_troubleshooting_connecting.py",
                  "test_redis_troubleshooting_access.py", "test_redis_troubleshooting_commands.py")
# files whose every test is a group of its own (no module-scoped fixture; each test sets up what it needs)
GROUP_BY_TEST = ("test_celery_consumer_timeout.py", "test_celery_walks.py")
_BUILD = re.compile(r"\[(?:.*-)?((?:redis|valkey|rabbitmq)-\d+\.\d+)(?:-.*)?\]$")
_NAMED_BUILD = re.compile(r"(redis|valkey|rabbitmq)_(\d+)_(\d+)")  # test_rabbitmq_4_0.py, test_three_rabbitmq_4_0_nodes
_CLAIM = re.compile(r"(?:^|/)claims/test_([a-z]+)_")
_SNIPPET = re.compile(r"test_snippets\.py::test_snippet\[([^/\]]+)/")


@cache
def _pages_of() -> dict[str, list[str]]:
    return snippet_refs()


def build_of(nodeid: str) -> str | None:
    """The server build a test's id names ("redis-8.0"), in its parameters, else in its name or file's name
    (test_rabbitmq_4_0.py), if any."""
    if (found := _BUILD.search(nodeid)) and found.group(1) in GENERATIONS:
        return found.group(1)
    found = _NAMED_BUILD.search(nodeid)
    name = found and "{}-{}.{}".format(*found.groups())
    return name if name in GENERATIONS else None


def tool_of(nodeid: str) -> str:
    if found := _SNIPPET.search(nodeid):
        return found.group(1)
    if found := _CLAIM.search(nodeid):
        return found.group(1)
    file = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    if file == "test_server_builds.py":
        return "rabbitmq" if "rabbitmq" in nodeid.split("::", 1)[-1] else "redis"
    return SITE_FILES.get(file, "site")


def shard_of(nodeid: str) -> str:
    """'tests/claims/test_redis_builds.py::test_x[valkey-8.1]' -> 'redis-current'."""
    tool = tool_of(nodeid)
    if tool not in SPLIT_BY_GENERATION:
        return tool
    return f"{tool}-{GENERATIONS.get(build_of(nodeid) or '', 'debian12')}"


def group_of(nodeid: str) -> str:
    """The xdist group: 'snippets of redis/data-types.md', 'tests/claims/test_rabbitmq_troubleshooting.py@rabbitmq-4.0',
    the test's id (files in GROUP_BY_TEST) or the file."""
    file = nodeid.split("::", 1)[0]
    if _SNIPPET.search(nodeid):
        snippet = nodeid.split("[", 1)[1].removesuffix("]")
        return f"snippets of {(_pages_of().get(snippet) or [snippet.split('/')[0]])[0]}"
    if file.rsplit("/", 1)[-1] in GROUP_BY_BUILD and (build := build_of(nodeid)):
        return f"{file}@{build}"
    if file.rsplit("/", 1)[-1] in GROUP_BY_TEST:
        return nodeid
    return file


# The longest groups, longest first (seconds in comments: a one-process run on the loaded 2-core machine, from
# tests/.artifacts/junit.xml or, since 2026-12-02, --durations of the file alone at load average 8-15); the rest
# follow in file order. Not here: test_site_budget.py (its check takes 1 s; it used to wait for the site build).
_TIMEOUT_CLAIM = "tests/claims/test_celery_consumer_timeout.py::test_{}_past_consumer_timeout[rabbitmq-{}]"
LONGEST_FIRST: tuple[str, ...] = (
    "tests/test_browser.py",  # 358 with the site build (411 before the 2026-12-02 cuts); 750 in a full run
    "tests/claims/test_redis_builds.py",  # ~500: every plain snippet on each of three builds
    "tests/claims/test_rabbitmq_cluster.py",  # 271
    "tests/test_bench.py",  # 170 (bench --tiny 162, the debian12 run 7) without the shared site build
    "tests/claims/test_rabbitmq_durability.py",  # 156
    "tests/claims/test_rabbitmq_consumer_timeout.py",  # 136
    "tests/claims/test_rabbitmq_4_0.py",  # 124
    "tests/claims/test_celery_commands.py",  # 113
    "tests/claims/test_rabbitmq_troubleshooting.py@rabbitmq-4.0",  # ~105
    "tests/claims/test_rabbitmq_troubleshooting.py@rabbitmq-3.10",  # ~105
    _TIMEOUT_CLAIM.format("an_acks_late_task_running", "3.10"),  # 99 (its cases at once)
    _TIMEOUT_CLAIM.format("a_countdown", "3.10"),  # 90
    "tests/claims/test_redis_sentinel.py",  # a failover per build
    "tests/claims/test_rabbitmq_security.py",  # 85
    _TIMEOUT_CLAIM.format("an_acks_late_task_running", "4.0"),  # 78
    _TIMEOUT_CLAIM.format("a_countdown", "4.0"),  # 76
    "tests/claims/test_celery_reliability.py",  # 68
    "tests/claims/test_celery_workers.py",  # 60
    "tests/claims/test_compare_visibility_timeout.py",  # 53
)


def start_rank(group: str) -> int:
    """Where a group goes in the workers' queue: the longest groups first."""
    return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)
