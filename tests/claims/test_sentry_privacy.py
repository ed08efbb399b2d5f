"""docs/sentry/privacy.md: which secrets of a failing request reach the server, per SDK configuration.

The snippet app `privacy_app.py` is served by uvicorn in each of its four PRIVACY modes, the snippet
`privacy_request.py` sends it the same request full of secrets, and the event Bugsink stored is
classified field by field. The page shows the result: snippets/sentry/results/privacy_modes.md.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from services.asgi_app import UvicornApp
from services.paths import PROGRAMS, SNIPPETS
from services.procs import eventually
from services.snippets import run

pytestmark = pytest.mark.page("sentry/privacy.md")

SENTRY_SNIPPETS = SNIPPETS / "sentry"

MODES = ["sdk-defaults", "recommended", "pii", "data_collection"]


def _status(value, secret: str) -> str:
    if value is None:
        return "absent"
    text = str(value)
    if secret in text:
        return "sent"
    return "filtered" if "Filtered" in text else "absent"


def _frame(d: dict, function: str) -> dict:
    frames = d["exception"]["values"][-1]["stacktrace"]["frames"]
    return next(f for f in frames if f["function"] == function).get("vars", {})


def classify(d: dict) -> dict[str, str]:
    """What became of each secret the request carried, in the stored event `d`."""
    request = d.get("request", {})
    headers = request.get("headers", {})
    login, check = _frame(d, "login"), _frame(d, "check_password")
    access_log = [c for c in d.get("breadcrumbs", {}).get("values", []) if c.get("category") == "uvicorn.access"]
    return {
        "Authorization header": _status(headers.get("authorization"), "tok_live_123"),
        "Cookie header": _status(headers.get("cookie"), "s3ss10n"),
        "session cookie, parsed (`request.cookies`)": _status(request.get("cookies", {}).get("sessionid"), "s3ss10n"),
        "X-Forwarded-For header": _status(headers.get("x-forwarded-for"), "203.0.113.7"),
        "client IP (`request.env.REMOTE_ADDR`)": _status(request.get("env", {}).get("REMOTE_ADDR"), "203.0.113.7"),
        "query string token=qs-secret": _status(request.get("query_string"), "qs-secret"),
        "body password (`request.data`)": _status(request.get("data", {}).get("password"), "hunter2"),
        "local variable password": _status(check.get("password"), "hunter2"),
        'nested local body["password"]': _status(login.get("body", {}).get("password"), "hunter2"),
        "client IP in the request local": _status(login.get("request", {}).get("client"), "203.0.113.7"),
        "uvicorn access-log breadcrumb (IP, query)": "sent" if access_log else "absent",
    }


@pytest.mark.slow
def test_what_reaches_the_server_in_each_mode(bugsink, tmp_path, results):
    projects = {mode: bugsink.new_project(f"privacy: {mode}") for mode in MODES}
    apps = {
        mode: UvicornApp("privacy_app:app", cwd=SENTRY_SNIPPETS, logdir=tmp_path,
                         env={"SENTRY_DSN": projects[mode].dsn, "PRIVACY": mode})
        for mode in MODES
    }
    measured = {}
    with ExitStack() as stack, ThreadPoolExecutor(len(MODES)) as pool:
        for app in pool.map(lambda app: app.start(), apps.values()):  # start the four servers side by side
            stack.callback(app.stop)
        for app in apps.values():
            result = run("sentry/privacy_request.py", env={"APP_URL": app.url})
            assert result.stdout.strip() == "500", result.stderr
        for mode, project in projects.items():
            [event] = eventually(lambda p=project: bugsink.all_events(p), 10, what=f"the {mode} event")
            measured[mode] = classify(event["data"])
    rows = [f"| {row} | {' | '.join(_cell(measured[mode][row]) for mode in MODES)} |" for row in measured[MODES[0]]]
    results("sentry/privacy_modes.md", "\n".join([f"| What the request carried | {' | '.join(MODES)} |",
                                                  "|---|---|---|---|---|", *rows]))


def _cell(status: str) -> str:
    return "**sent**" if status == "sent" else status


def test_send_default_pii_is_deprecated_and_data_collection_replaces_the_scrubber():
    first, explicit_false, second = run(PROGRAMS / "sentry_pii_option.py").ok().stdout.splitlines()
    assert first == "['DeprecationWarning'] True"  # deprecated, and the scrubber is still on
    assert explicit_false == "['DeprecationWarning']"  # even False warns: any explicit value does
    assert second == "['Event scrubbers are not enabled when data col'] None"  # scrubber off, even if passed


def test_before_send_runs_before_sample_rate_drops_the_event():
    result = run(PROGRAMS / "sentry_before_send_sampling.py")
    assert result.stdout.strip() == "3 [None, None, None]"  # seen by before_send, then dropped by sampling


def test_before_send_does_not_see_transactions_before_send_transaction_does(results):
    """A traced FastAPI request fails; what the two hooks saw and what the SDK sent (recorded by its transport)."""
    runs = {}
    for mode in ("before_send", "both"):
        out = run(PROGRAMS / "sentry_before_send_transaction.py", mode).ok().stdout
        runs[mode] = json.loads(out)
    assert runs["before_send"]["seen"] == ["error"]  # never called for the transaction
    assert runs["both"]["seen"] == ["error", "transaction"]

    def query(mode: str, kind: str) -> str:
        [item] = [i for i in runs[mode]["sent"] if i["type"] == kind]
        return f"**sent** (`{item['query_string']}`)" if item["query_string"] else "absent"

    rows = [
        "| | `before_send` only | `before_send` + `before_send_transaction` |",
        "|---|---|---|",
        f"| the hooks were called for | {', '.join(runs['before_send']['seen'])} | {', '.join(runs['both']['seen'])} |",
        f"| error event: query string | {query('before_send', 'error')} | {query('both', 'error')} |",
        f"| transaction: query string | {query('before_send', 'transaction')} | {query('both', 'transaction')} |",
    ]
    assert "qs-secret" in rows[-1] and "qs-secret" not in rows[-1].split("|")[3]
    results("sentry/privacy_transactions.md", "\n".join(rows))
