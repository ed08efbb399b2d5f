"""docs/sentry/index.md and getting-started.md: what init() does by default, checked in fresh interpreters."""

from __future__ import annotations

import subprocess

from fixtures.sentry import run_python
from services.errors import wait_until

DEFAULTS = (
    "import sentry_sdk\n"
    "sentry_sdk.init()\n"
    "client = sentry_sdk.get_client()\n"
    "o = client.options\n"
    "print(repr(client.dsn), o['environment'], o['release'], o['traces_sample_rate'], o['sample_rate'])\n"
)


def _clean_env(**values: str) -> dict[str, str]:
    env = {name: "" for name in ("SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_RELEASE")}  # "" = not set
    env.update(values)
    return env


def test_init_reads_dsn_environment_and_release_from_the_environment():
    env = _clean_env(SENTRY_DSN="http://key@example.invalid/7", SENTRY_ENVIRONMENT="staging", SENTRY_RELEASE="shop@2.0")
    result, _ = run_python(DEFAULTS, env=env)
    assert result.stdout.split() == ["'http://key@example.invalid/7'", "staging", "shop@2.0", "None", "1.0"]


def test_without_settings_no_dsn_environment_production_release_the_git_commit(tmp_path):
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "release me"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    code = (
        f"import os; os.chdir({str(tmp_path)!r})\n" + DEFAULTS
        + "print(sentry_sdk.get_client().transport, sentry_sdk.capture_message('x'))\n"
    )  # fmt: skip
    result, _ = run_python(code, env=_clean_env())
    options, sending = result.stdout.splitlines()
    assert options.split() == ["''", "production", head, "None", "1.0"]
    assert sending == "None None"  # no DSN: no transport, and capture_*() returns no id


def test_envelope_url_on_the_page_is_the_one_the_sdk_uses():
    code = (
        "from sentry_sdk.utils import Dsn\nfrom sentry_sdk.consts import EndpointType\n"
        "auth = Dsn('https://examplePublicKey@o0.ingest.sentry.io/0').to_auth()\n"
        "print(auth.get_api_url(EndpointType.ENVELOPE), auth.to_header())\n"
    )
    result, _ = run_python(code)
    url, header = result.stdout.strip().split(" ", 1)
    assert url == "https://o0.ingest.sentry.io/api/0/envelope/"
    assert header.startswith("Sentry sentry_key=examplePublicKey, sentry_version=7")  # the X-Sentry-Auth value


def test_an_uncaught_exception_is_reported_by_the_excepthook(bugsink):
    project = bugsink.new_project("getting started: uncaught")
    code = "import os, sentry_sdk\nsentry_sdk.init(os.environ['SENTRY_DSN'])\nraise RuntimeError('crash at start-up')\n"
    result, _ = run_python(code, env={"SENTRY_DSN": project.dsn})
    assert result.returncode == 1 and "RuntimeError: crash at start-up" in result.stderr
    [event] = wait_until(lambda: bugsink.all_events(project), timeout=10, what="the crash event")
    exception = event["data"]["exception"]["values"][-1]
    assert exception["value"] == "crash at start-up"
    assert exception["mechanism"] == {"type": "excepthook", "handled": False}


def test_an_event_captured_just_before_a_normal_exit_arrives_without_flush(bugsink):
    project = bugsink.new_project("getting started: no flush")
    code = "import os, sentry_sdk\nsentry_sdk.init(os.environ['SENTRY_DSN'])\nsentry_sdk.capture_message('bye')\n"
    result, _ = run_python(code, env={"SENTRY_DSN": project.dsn})
    assert result.returncode == 0, result.stderr
    [event] = wait_until(lambda: bugsink.all_events(project), timeout=10, what="the event sent at exit")
    assert event["data"]["message"] == "bye"
