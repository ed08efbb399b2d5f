"""The versions this test run ran on: every server build (services/generations.py), its Erlang, and the
Python packages the snippets import, asked of the running servers and the venv (never typed).

Written to snippets/compare/results/versions.md, which each section's index page, the comparison page
and the Benchmarks page include. The Home page names the same versions in its prose; tests/test_site.py
checks that. Bugsink's version comes from its own venv (services/bugsink.py).
"""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess

import pytest
from services.bugsink import VENV as BUGSINK_VENV
from services.generations import RABBITMQ_3_10, REDIS_8_0, REDIS_BUILDS, SNIPPET_RABBITMQ, Build

# the pages that include the table
pytestmark = pytest.mark.page("index.md", "redis/index.md", "rabbitmq/index.md", "celery/index.md", "sentry/index.md",
                              "compare.md", "benchmarks.md")  # fmt: skip
PACKAGES = ("redis", "pika", "celery", "kombu", "sentry-sdk")
# What runs on each build (the pages' `#>` lines are the current generation's output)
ROLE = {
    "redis-8.0": "The Redis pages' `#>` lines: every Redis snippet that needs one plain server "
    "(`tests/test_snippets.py`)",
    "valkey-8.1": "Every plain Redis snippet, compared with Redis 8.0 (`test_redis_builds.py`)",
    "redis-7.0": "Every plain Redis snippet, compared with Redis 8.0 (`test_redis_builds.py`); replica, cluster, "
    "TLS; most claims",
    "rabbitmq-4.0": "The RabbitMQ and Celery pages' `#>` lines (`tests/test_snippets.py`) and their claims",
    "rabbitmq-3.10": "Every plain RabbitMQ snippet, compared with 4.0 (`tests/claims/test_rabbitmq_builds.py`); the"
    " claims of the RabbitMQ pages (all but the one about 4.3's default) and of the comparison page, as on 4.0",
}
PACKAGE_ROLE = {
    "redis": "redis-py: the Redis client of every snippet",
    "pika": "The RabbitMQ client of every RabbitMQ snippet",
    "celery": "Celery: the workers and the callers",
    "kombu": "Celery's messaging library (the broker transports)",
    "sentry-sdk": "The Sentry SDK of every Sentry snippet",
}


def redis_version(server) -> str:
    info = server.client().info("server")
    valkey = info.get("valkey_version")
    return f"{valkey} (reports `redis_version:{info['redis_version']}`)" if valkey else info["redis_version"]


def rabbitmq_version(node) -> tuple[str, str]:
    """(RabbitMQ version, Erlang/OTP version) as the running node's HTTP API reports them."""
    overview = node.api().get("/api/overview")
    return overview["rabbitmq_version"], overview["erlang_version"]


@pytest.fixture(scope="module")
def measured(redis_of_build, broker_node, build_node) -> list[tuple[str, str, str]]:
    """(what, version, what runs on it), servers first, then Python and the packages."""
    rows = []
    for build in REDIS_BUILDS:
        rows.append((label(build), redis_version(redis_of_build(build.name)), ROLE[build.name]))
    for build, node in ((SNIPPET_RABBITMQ, broker_node), (RABBITMQ_3_10, build_node(RABBITMQ_3_10))):
        version, erlang = rabbitmq_version(node)
        rows.append((label(build), f"{version} on Erlang/OTP {erlang}", ROLE[build.name]))
    rows.append(("Python", platform.python_version(), "Every snippet, test and worker"))
    for package in PACKAGES:
        rows.append((f"`{package}`", importlib.metadata.version(package), PACKAGE_ROLE[package]))
    rows.append(("Bugsink", bugsink_version(), "The Sentry server the Sentry snippets send to (its own venv)"))
    return rows


def bugsink_version() -> str:
    code = "import importlib.metadata as m; print(m.version('bugsink'))"
    python = str(BUGSINK_VENV / "bin" / "python")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


def label(build: Build) -> str:
    debian = {"current": "Debian 13", "debian12": "Debian 12"}[build.generation]
    return f"{build.label} ({debian}'s package)"


def test_each_build_is_the_version_it_names(measured):
    servers = {what: version for what, version, _ in measured}
    assert servers[label(REDIS_8_0)] == REDIS_8_0.version
    for build in (*REDIS_BUILDS, SNIPPET_RABBITMQ, RABBITMQ_3_10):
        assert servers[label(build)].startswith(build.version), (build, servers[label(build)])


def test_versions_table(measured, results):
    rows = ["| Server or package | Version this run used | What runs on it |", "|---|---|---|"]
    rows += [f"| {what} | {version} | {role} |" for what, version, role in measured]
    results("compare/versions.md", "\n".join(rows))
