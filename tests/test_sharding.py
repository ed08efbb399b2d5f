"""The CI shards and the xdist groups (tests/services/shards.py): every test is in exactly one shard, the workflow
runs every shard, and the tests that must share a worker do."""

from __future__ import annotations

import subprocess
import sys

import yaml
from services.paths import ROOT
from services.shards import LONGEST_FIRST, SHARDS, group_of, shard_of


def collected() -> list[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_the_workflow_runs_every_shard_once():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text())
    [job] = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["shard"] == list(SHARDS)
    [step] = [step for step in job["steps"] if "tests/run.py" in step.get("run", "")]
    assert '--shard "$SHARD"' in step["run"] and step["env"]["SHARD"] == "${{ matrix.shard }}"


def test_every_test_is_in_a_known_shard_and_every_shard_has_tests():
    ids = collected()
    assert len(ids) > 300
    shards = {shard_of(i) for i in ids}
    assert shards == set(SHARDS)
    assert set(LONGEST_FIRST) <= {group_of(i) for i in ids}, "a group named in LONGEST_FIRST has no tests"


def test_shards_split_by_tool_and_by_the_generation_a_test_names():
    assert shard_of("tests/claims/test_redis_builds.py::test_x[valkey-8.1]") == "redis-current"
    assert shard_of("tests/claims/test_redis_builds.py::test_x[redis-7.0]") == "redis-debian12"
    assert shard_of("tests/claims/test_redis_eviction.py::test_x") == "redis-debian12"  # default build: Redis 7.0
    assert shard_of("tests/claims/test_rabbitmq_counts.py::test_x[rabbitmq-4.0-no_queue]") == "rabbitmq-current"
    assert shard_of("tests/test_server_builds.py::test_three_rabbitmq_4_0_nodes_form_a_cluster") == "rabbitmq-current"
    assert shard_of("tests/test_snippets.py::test_snippet[celery/calling.py]") == "celery"
    assert shard_of("tests/test_snippets.py::test_snippet[redis/cache.py]") == "redis-debian12"
    assert shard_of("tests/test_browser.py::test_x") == "browser"
    assert shard_of("tests/test_llms_txt.py::test_x") == "site"


def test_a_module_stays_on_one_worker_and_snippets_group_by_page():
    """Module-scoped fixtures (a cluster kill measured for both builds) must run once: a file is one group."""
    assert group_of("tests/claims/test_rabbitmq_cluster.py::test_a[rabbitmq-4.0]") == group_of(
        "tests/claims/test_rabbitmq_cluster.py::test_results_on_the_page")
    assert group_of("tests/test_snippets.py::test_snippet[celery/calling_tasks.py]") == "snippets of celery/calling.md"
    assert group_of("tests/test_snippets.py::test_snippet[redis/cache_aside.py]") == "snippets of redis/use-cases.md"


def test_independent_long_tests_are_groups_of_their_own():
    """A Celery page walk (its own broker) and a consumer-timeout test (its own vhosts) can run on different workers."""
    walk = "tests/claims/test_celery_walks.py::test_canvas_page_in_order"
    assert group_of(walk) == walk != group_of("tests/claims/test_celery_walks.py::test_calling_page_in_order")
    timeout = "tests/claims/test_celery_consumer_timeout.py::test_a_countdown_past_consumer_timeout[rabbitmq-{}]"
    assert group_of(timeout.format("4.0")) != group_of(timeout.format("3.10"))
