"""docs/sentry/index.md and getting-started.md: what init() does by default, checked in fresh interpreters
(the programs are in tests/claims/programs/)."""

from __future__ import annotations

import subprocess

import pytest
from services.paths import PROGRAMS
from services.procs import eventually
from services.snippets import run

pytestmark = pytest.mark.page("sentry/index.md", "sentry/getting-started.md")


def _clean_env(**values: str) -> dict[str, str]:
    env = {name: "" for name in ("SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_RELEASE")}  # "" = not set
    env.update(values)
    return env


def test_init_reads_dsn_environment_and_release_from_the_environment():
    env = _clean_env(SENTRY_DSN="http://key@example.invalid/7", SENTRY_ENVIRONMENT="staging", SENTRY_RELEASE="shop@2.0")
    result = run(PROGRAMS / "sentry_init_defaults.py", env=env)
    assert result.stdout.split() == ["'http://key@example.invalid/7'", "staging", "shop@2.0", "None", "1.0"]


def test_without_settings_no_dsn_environment_production_release_the_git_commit(tmp_path):
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "release me"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    result = run(PROGRAMS / "sentry_init_defaults.py", "--capture", env=_clean_env(), cwd=tmp_path)
    options, sending = result.stdout.splitlines()
    assert options.split() == ["''", "production", head, "None", "1.0"]
    assert sending == "None None"  # no DSN: no transport, and capture_*() returns no id


def test_envelope_url_on_the_page_is_the_one_the_sdk_uses():
    url, header = run(PROGRAMS / "sentry_envelope_url.py").stdout.strip().split(" ", 1)
    assert url == "https://o0.ingest.sentry.io/api/0/envelope/"
    assert header.startswith("Sentry sentry_key=examplePublicKey, sentry_version=7")  # the X-Sentry-Auth value


def test_an_uncaught_exception_is_reported_by_the_excepthook(bugsink):
    project = bugsink.new_project("getting started: uncaught")
    result = run(PROGRAMS / "sentry_uncaught.py", env={"SENTRY_DSN": project.dsn})
    assert result.returncode == 1 and "RuntimeError: crash at start-up" in result.stderr
    [event] = eventually(lambda: bugsink.all_events(project), 10, what="the crash event")
    exception = event["data"]["exception"]["values"][-1]
    assert exception["value"] == "crash at start-up"
    assert exception["mechanism"] == {"type": "excepthook", "handled": False}


def test_an_event_captured_just_before_a_normal_exit_arrives_without_flush(bugsink):
    project = bugsink.new_project("getting started: no flush")
    run(PROGRAMS / "sentry_exit_without_flush.py", env={"SENTRY_DSN": project.dsn}).ok()
    [event] = eventually(lambda: bugsink.all_events(project), 10, what="the event sent at exit")
    assert event["data"]["message"] == "bye"
