"""docs/sentry/edge-cases.md: what sentry-sdk really does when the server is down, hangs or says 429.

Each test measures with real processes (a fresh interpreter per run, a real Bugsink or a local
socket/HTTP server) and compares with the table on the page, cell by cell.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from fixtures.sentry import SENTRY_SNIPPETS, page_table, run_python
from services.http_receiver import HttpReceiver, Reply

LIMIT = 10  # seconds: "never blocks" means the app goes on within seconds, whatever the server does


def table() -> dict[str, dict[str, str]]:
    return page_table("edge-cases.md", "Situation")


def test_unreachable_server_costs_nothing_and_keeps_nothing():
    code = (
        "import logging, runpy; logging.basicConfig(format='%(name)s %(message)s');"
        f"runpy.run_path({str(SENTRY_SNIPPETS / 'server_unreachable.py')!r}, run_name='__main__')"
    )
    result, took = run_python(code)
    assert result.returncode == 0 and took < LIMIT, result.stderr
    assert result.stdout.splitlines() == [
        "5 captures returned ids: True | under 1 s: True",
        "flush returned None | under 1 s: True | left: []",
    ]
    retries = [line for line in result.stderr.splitlines() if "Retrying (Retry(total=" in line]
    finals = [line for line in retries if "Retry(total=0," in line]
    assert len(retries) == 3 * len(finals) and len(finals) >= 5  # each envelope: 1 try + 3 retries (urllib3)
    row = table()["Server unreachable (closed port)"]
    assert row["Captured"] == "5" and row["Reached the server"] == "0"
    assert row["Dropped"] == "5, each after 4 refused connections"
    assert row["flush(timeout=2)"] == "returned None at once, nothing left"


@pytest.mark.slow
def test_server_down_mid_run_events_are_lost_not_retried(bugsink):
    """The run's Bugsink is stopped and served again on the same port and data (tests run one at a time)."""
    child_code = (
        "import sys, sentry_sdk\n"
        "sentry_sdk.init(dsn=sys.argv[1])\n"
        "for line in sys.stdin:\n"
        "    sentry_sdk.capture_message(line.strip())\n"
        "    sentry_sdk.flush(timeout=2)\n"
        "    print('done', flush=True)\n"
    )
    server = bugsink
    project = server.new_project("down mid-run")
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", child_code, project.dsn], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:

            def send(label: str) -> None:
                child.stdin.write(label + "\n")
                child.stdin.flush()
                assert child.stdout.readline().strip() == "done"

            for n in range(3):
                send(f"before {n}")
            server.stop()
            for n in range(3):
                send(f"while down {n}")
            server.restart()
            for n in range(3):
                send(f"after {n}")
            child.stdin.close()
            assert child.wait(LIMIT) == 0
        finally:
            child.kill()
    finally:
        if server.proc.poll() is not None:  # stopped and not back: serve again for the tests after this one
            server.restart()
    arrived = sorted(e["data"]["message"] for e in server.all_events(project))
    assert arrived == [*(f"after {n}" for n in range(3)), *(f"before {n}" for n in range(3))]
    row = table()["Server down mid-run, then back"]
    assert row["Captured"] == "3 + 3 + 3" and row["Reached the server"] == "6 (before and after)"
    assert row["Dropped"] == "3, never re-sent"


@pytest.mark.slow
def test_hanging_server_fills_the_queue_and_delays_exit():
    result, took = run_python(SENTRY_SNIPPETS / "server_hanging.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "still waiting (1 in flight + queue): [101]"
    # at exit, the atexit hook waits shutdown_timeout (2 s) for those 101, then gives up
    assert "Sentry is attempting to send 101 pending events\nWaiting up to 2 seconds" in result.stderr
    assert 2 + 2 <= took < 2 + 2 + LIMIT  # flush(timeout=2) + shutdown_timeout=2, plus start-up
    row = table()["Server accepts, never answers"]
    assert row["Captured"] == "151" and row["Reached the server"] == "0"
    assert row["Dropped"] == "50 at once (queue of 100 full), 101 at exit"
    assert row["flush(timeout=2)"] == "returned None after 2 s, 101 pending"


def _messages(requests) -> list[str]:
    """The `message` of each event envelope the SDK posted (gzip-compressed JSON lines)."""
    found = []
    for request in requests:
        for line in gzip.decompress(request.body).splitlines():
            item = json.loads(line)
            if "message" in item:
                found.append(item["message"])
    return found


def test_429_stops_sending_until_retry_after_then_resumes():
    code = (
        "import os, time, sentry_sdk\n"
        "sentry_sdk.init(dsn=os.environ['DSN'])\n"
        "for label in ['first', 'second']:\n"
        "    sentry_sdk.capture_message(label); sentry_sdk.flush(timeout=2)\n"
        "time.sleep(1.5)  # Retry-After: 1 has passed\n"
        "sentry_sdk.capture_message('third'); sentry_sdk.flush(timeout=2)\n"
    )
    with HttpReceiver(Reply(429, {"Retry-After": "1"}, b"")) as server:
        dsn = f"http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@{server.url.split('//')[1]}/1"
        result, took = run_python(code, env={"DSN": dsn})
        assert result.returncode == 0 and took < LIMIT, result.stderr
        sent = _messages(server.requests)
    assert sent == ["first", "third"]  # "second" was dropped in the SDK, and never re-sent
    row = table()["429 with Retry-After: 60"]
    assert (row["Captured"], row["Reached the server"]) == ("5", "1 request")
    assert row["Dropped"] == "4, without a request"


def test_sample_rate_drops_before_sending(bugsink):
    """capture_*() returns None exactly for the events sample_rate dropped; the others all arrive."""
    project = bugsink.new_project("edge: sample_rate")
    code = (
        "import os, sentry_sdk\n"
        "sentry_sdk.init(dsn=os.environ['DSN'], sample_rate=0.5)\n"
        "ids = [sentry_sdk.capture_message(f'job {n} failed') for n in range(30)]\n"
        "sentry_sdk.flush(timeout=10)\n"
        "print(sum(i is not None for i in ids))\n"
    )
    result, _ = run_python(code, env={"DSN": project.dsn})
    kept = int(result.stdout)
    assert 0 < kept < 30
    assert sum(i["digested_event_count"] for i in bugsink.issues(project)) == kept
    row = table()["sample_rate=0.2"]
    assert row["Reached the server"] == "the ones capture_*() returned an id for"
