"""docs/sentry/edge-cases.md: what sentry-sdk really does when the server is down, hangs or says 429.

Each test measures with real processes (a fresh interpreter per run, a real Bugsink or a local
socket/HTTP server) and writes its row of the page's table: snippets/sentry/results/edge_cases_*.md,
which the page includes line by line (`--update-examples` rewrites them).
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys

import pytest
from sentry_sdk.transport import HttpTransport
from services.http_receiver import HttpReceiver, Reply
from services.paths import PROGRAMS, SNIPPETS
from services.snippets import expected_output, run, run_beside_startups

pytestmark = pytest.mark.page("sentry/edge-cases.md")

# "Never blocks": the app goes on within seconds whatever the server does, beyond what the load adds to an
# interpreter start measured beside the run (services/snippets.py run_beside_startups). 20 s stays under the SDK's
# HTTP timeout, so one send that waited for the server would exceed it; a busy 2-core machine made these runs
# 11-19 s where they take 3 s alone.
LIMIT = HttpTransport.TIMEOUT - 10


def _number(pattern: str, text: str) -> int:
    return int(re.search(pattern, text).group(1))


def test_unreachable_server_costs_nothing_and_keeps_nothing(results):
    snippet = str(SNIPPETS / "sentry" / "server_unreachable.py")
    result, startup = run_beside_startups(PROGRAMS / "logged_snippet.py", snippet, module="sentry_sdk")
    assert result.returncode == 0 and result.seconds < startup + LIMIT, result.stderr
    assert result.stdout.splitlines() == expected_output("sentry/server_unreachable.py") == [
        "5 captures returned ids: True",  # queued ...
        "flush returned None | within 2 s: True | left: []",  # ... and nothing left to flush
    ]
    captured = _number(r"^(\d+) captures", result.stdout)
    retries = [line for line in result.stderr.splitlines() if "Retrying (Retry(total=" in line]
    finals = [line for line in retries if "Retry(total=0," in line]  # an envelope's last try
    assert len(finals) >= captured and len(retries) % len(finals) == 0
    attempts = len(retries) // len(finals) + 1  # the first try, then urllib3's retries
    results("sentry/edge_cases_unreachable.md",
            f"| Server unreachable (closed port) | {captured} | 0 | {captured}, each after {attempts} refused "
            "connections | returned `None` within its timeout, nothing left | `server_unreachable.py` |")


@pytest.mark.slow
def test_server_down_mid_run_events_are_lost_not_retried(bugsink, results):
    """The run's Bugsink is stopped and served again on the same port and data (tests run one at a time)."""
    server = bugsink
    project = server.new_project("down mid-run")
    sent = {"before": 3, "while down": 3, "after": 3}
    try:
        child = subprocess.Popen([sys.executable, str(PROGRAMS / "sentry_capture_lines.py"), project.dsn],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:

            def send(label: str) -> None:
                child.stdin.write(label + "\n")
                child.stdin.flush()
                assert child.stdout.readline().strip() == "done"

            for phase, count in sent.items():
                if phase == "while down":
                    server.stop()
                elif phase == "after":
                    server.restart()
                for n in range(count):
                    send(f"{phase} {n}")
            child.stdin.close()
            assert child.wait(LIMIT) == 0
        finally:
            child.kill()
    finally:
        if server.proc.poll() is not None:  # stopped and not back: serve again for the tests after this one
            server.restart()
    arrived = sorted(e["data"]["message"] for e in server.all_events(project))
    assert arrived == [*(f"after {n}" for n in range(3)), *(f"before {n}" for n in range(3))]
    captured, lost = " + ".join(map(str, sent.values())), sum(sent.values()) - len(arrived)
    results("sentry/edge_cases_down_mid_run.md",
            f"| Server down mid-run, then back | {captured} | {len(arrived)} (before and after) "
            f"| {lost}, never re-sent | | `test_server_down_mid_run_events_are_lost_not_retried` |")


@pytest.mark.slow
def test_hanging_server_fills_the_queue_and_delays_exit(results):
    result, startup = run_beside_startups("sentry/server_hanging.py", module="sentry_sdk")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected_output("sentry/server_hanging.py")
    captured = 1 + _number(r"^(\d+) more captures", result.stdout)  # "first", then the 150
    pending = _number(r"still waiting \(1 in flight \+ queue\): \[(\d+)\]", result.stdout)
    # at exit, the atexit hook waits shutdown_timeout (2 s) for those, then gives up
    assert f"Sentry is attempting to send {pending} pending events\nWaiting up to 2 seconds" in result.stderr
    assert 2 + 2 <= result.seconds < startup + 2 + 2 + LIMIT  # flush(timeout=2) + shutdown_timeout=2, plus start-up
    results("sentry/edge_cases_hanging.md",
            f"| Server accepts, never answers | {captured} | 0 | {captured - pending} at once (queue of {pending - 1} "
            f"full), {pending} at exit | returned `None` after 2 s, {pending} pending | `server_hanging.py` |")


def _messages(requests) -> list[str]:
    """The `message` of each event envelope the SDK posted (gzip-compressed JSON lines)."""
    found = []
    for request in requests:
        for line in gzip.decompress(request.body).splitlines():
            item = json.loads(line)
            if "message" in item:
                found.append(item["message"])
    return found


def test_429_stops_sending_until_retry_after_then_resumes(results):
    with HttpReceiver(Reply(429, {"Retry-After": "1"}, b"")) as server:
        dsn = f"http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@{server.url.split('//')[1]}/1"
        result, startup = run_beside_startups(PROGRAMS / "sentry_429_resume.py", env={"DSN": dsn}, module="sentry_sdk")
        assert result.returncode == 0 and result.seconds < startup + LIMIT, result.stderr
        sent = _messages(server.requests)
    assert sent == ["first", "third"]  # "second" was dropped in the SDK, and never re-sent

    page = run("sentry/rate_limited.py").ok()  # the page's own case: Retry-After: 60
    assert page.stdout.splitlines() == expected_output("sentry/rate_limited.py")
    captured = _number(r"an id for all (\d+): True", page.stdout)
    requests = _number(r"HTTP requests the server got: (\d+)", page.stdout)
    results("sentry/edge_cases_rate_limited.md",
            f"| 429 with `Retry-After: 60` | {captured} | {requests} request | {captured - requests}, without a "
            "request | | `rate_limited.py` |")


def test_sample_rate_drops_before_sending(bugsink, results):
    """capture_*() returns None exactly for the events sample_rate dropped; the others all arrive."""
    project = bugsink.new_project("edge: sample_rate")
    rate, count = "0.2", 100  # as in sample_rate.py
    kept = int(run(PROGRAMS / "sentry_sample_rate.py", rate, str(count), env={"DSN": project.dsn}).ok().stdout)
    assert 0 < kept < count
    assert sum(i["digested_event_count"] for i in bugsink.issues(project)) == kept
    results("sentry/edge_cases_sample_rate.md",
            f"| `sample_rate={rate}` | {count} | the ones `capture_*()` returned an id for | the rest, before sending "
            "| | `sample_rate.py` |")
