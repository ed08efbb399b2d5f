"""docs/sentry/performance.md: Bugsink refuses transactions with a 24-hour rate limit, and the SDK obeys."""

from __future__ import annotations

import json
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from services.paths import PROGRAMS
from services.snippets import run

pytestmark = pytest.mark.page("sentry/performance.md")


def test_bugsink_answers_a_transaction_with_a_24h_rate_limit(bugsink):
    project = bugsink.new_project("tracing: rate limit")
    dsn = urlsplit(project.dsn)
    event_id = uuid.uuid4().hex
    transaction = {
        "event_id": event_id, "type": "transaction", "transaction": "GET /", "platform": "python",
        "start_timestamp": 1_700_000_000.0, "timestamp": 1_700_000_001.0,
        "contexts": {"trace": {"trace_id": uuid.uuid4().hex, "span_id": uuid.uuid4().hex[:16], "op": "http.server"}},
    }
    body = "\n".join(json.dumps(x) for x in ({"event_id": event_id}, {"type": "transaction"}, transaction)) + "\n"
    request = urllib.request.Request(
        f"{dsn.scheme}://{dsn.hostname}:{dsn.port}/api{dsn.path}/envelope/", data=body.encode(), method="POST"
    )
    request.add_header("X-Sentry-Auth", f"Sentry sentry_key={dsn.username}, sentry_version=7")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["X-Sentry-Rate-Limits"] == "86400:transaction;span:organization"
    assert bugsink.all_events(project) == []  # nothing stored


def test_the_sdk_then_stops_sending_transactions_but_not_errors(bugsink):
    project = bugsink.new_project("tracing: sdk obeys")
    result = run(PROGRAMS / "sentry_transaction_limit.py", env={"SENTRY_DSN": project.dsn})
    assert result.stdout.split() == ["True", "False"], result.stderr
