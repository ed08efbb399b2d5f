"""Every error text on the Sentry troubleshooting page, produced here by triggering it.

docs/sentry/troubleshooting.md has one row per error or symptom. Each row includes
snippets/sentry/results/errors/<row>.txt: what sentry-sdk 2.75 raises, warns or logs (its debug log
with `debug=True`), or what the Celery worker logs. Each test below triggers its text in a fresh
interpreter (tests/claims/programs/sentry_trouble.py), against a closed port, a server that never
answers, a local HTTP server that answers 429, or the run's Bugsink, and hands the text to the
`results` fixture (`--update-examples` rewrites the files). The two Celery rows are produced by
tests/claims/test_sentry_celery.py. `test_every_row_is_produced_and_shown` fails for a file no row
names, a row without its file, and a row heading whose quoted text is not in its file.
"""

from __future__ import annotations

import re
import traceback
from urllib.parse import urlsplit, urlunsplit

import pytest
from sentry_sdk.utils import Dsn
from services.http_receiver import HttpReceiver, Reply
from services.paths import DOCS, PROGRAMS, SNIPPETS
from services.procs import free_port
from services.sitebuild import SNIPPET_REF
from services.snippets import run

pytestmark = pytest.mark.page("sentry/troubleshooting.md")

ERRORS = SNIPPETS / "sentry" / "results" / "errors"
PAGE = DOCS / "sentry" / "troubleshooting.md"
TROUBLE = PROGRAMS / "sentry_trouble.py"
KEY = "5e47bb3c0fd34e4a9f3a3c1d2b8e6a71"  # the docker-compose project's public key, as the snippets use
ROWS = [
    "bad-dsn-scheme", "bad-dsn-public-key", "bad-dsn-project", "no-dsn", "connection-refused", "wrong-key",
    "rate-limited-429", "transactions-rate-limited", "before-send-dropped", "sample-rate", "no-traces-sample-rate",
    "traces-sample-rate-0", "session-without-release", "flush-timed-out", "pending-at-exit",
    "send-default-pii-deprecated", "profiling-deprecated", "event-scrubber-ignored",
    "celery-no-events", "celery-hard-time-limit",  # from test_sentry_celery.py
]  # fmt: skip


def sdk_lines(stderr: str, *patterns: str) -> str:
    """The SDK's debug-log lines (` [sentry] LEVEL: ...`) that match one of `patterns`, in order, once each."""
    found: list[str] = []
    for line in stderr.splitlines():
        line = line.strip()
        if line.startswith("[sentry] ") and any(re.search(p, line) for p in patterns) and line not in found:
            found.append(line)
    assert found, f"none of {patterns} in:\n{stderr}"
    return "\n".join(found)


def as_documented(text: str, port: int) -> str:
    """Ports as the page documents them: the compose file's Sentry server on 9000."""
    return text.replace(f":{port}", ":9000").replace(f"port={port}", "port=9000")


def trouble(scenario: str, **env: str):
    return run(TROUBLE, scenario, env=env)


def on_port(dsn: str, port: int) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))


# -- the page and the files agree ------------------------------------------------------------------


def page_rows() -> dict[str, tuple[str, list[str]]]:
    """{anchor: (heading, [included error files])} for every `### ... {#anchor}` row of the page."""
    rows = {}
    for section in re.split(r"\n(?=### )", PAGE.read_text())[1:]:
        heading = section.splitlines()[0]
        anchor = re.search(r"\{#([\w-]+)\}", heading)
        assert anchor, f"row heading without an {{#anchor}}: {heading}"
        includes = [ref for ref in SNIPPET_REF.findall(section) if ref.startswith("sentry/results/errors/")]
        rows[anchor.group(1)] = (heading, includes)
    return rows


def test_every_row_is_produced_and_shown():
    on_disk = {p.stem for p in ERRORS.glob("*.txt")}
    assert on_disk == set(ROWS), f"files no row names: {on_disk - set(ROWS)}; missing: {set(ROWS) - on_disk}"
    rows = page_rows()
    assert len(rows) >= 15
    shown = {ref.rsplit("/", 1)[1].removesuffix(".txt") for _, refs in rows.values() for ref in refs}
    assert shown == set(ROWS), f"not on the page: {set(ROWS) - shown}; unknown: {shown - set(ROWS)}"
    for anchor, (heading, refs) in rows.items():
        assert refs, f"row {anchor!r} shows no text from a test"
        texts = " ".join((SNIPPETS / ref).read_text() for ref in refs)
        for quoted in re.findall(r"`([^`]+)`", heading.split("{#")[0]):
            assert quoted in texts, f"row {anchor!r}: heading text {quoted!r} is not in {refs}"


# -- the DSN ---------------------------------------------------------------------------------------


def _bad_dsn(dsn: str) -> str:
    try:
        Dsn(dsn)  # what init() parses first; init(dsn=...) raises the same
    except Exception as exc:  # noqa: BLE001 - its text is what we show
        return traceback.format_exception_only(exc)[-1].rstrip("\n")
    raise AssertionError(f"{dsn!r} was accepted")


def test_bad_dsn(results):
    texts = {
        "bad-dsn-scheme": [f"{KEY}@o1.ingest.sentry.io/1", f'"https://{KEY}@o1.ingest.sentry.io/1"'],
        "bad-dsn-public-key": ["https://o1.ingest.sentry.io/1"],
        "bad-dsn-project": [f"https://{KEY}@o1.ingest.sentry.io/", f"https://{KEY}@o1.ingest.sentry.io/shop"],
    }
    for row, dsns in texts.items():
        results(f"sentry/errors/{row}.txt", "\n".join(f"# dsn={d}\n{_bad_dsn(d)}" for d in dsns))


def test_no_dsn_means_the_sdk_is_off(results):
    result = trouble("no-dsn", SENTRY_DSN="").ok()
    assert result.stdout.splitlines() == ["dsn: '' | transport: None", "capture_message() returned: None"]
    results("sentry/errors/no-dsn.txt", result.stdout)


# -- the server ------------------------------------------------------------------------------------


def test_connection_refused(results):
    port = free_port()  # nothing listens there
    result = trouble("send", DSN=f"http://{KEY}@127.0.0.1:{port}/1").ok()
    assert result.stdout.strip() == "True"  # capture returned an id: the loss shows only in the log
    text = sdk_lines(result.stderr, r"ERROR: Internal error")
    last = [line for line in result.stderr.splitlines() if line.startswith("urllib3.exceptions.MaxRetryError")]
    results("sentry/errors/connection-refused.txt", as_documented(f"{text}\n...\n{last[-1]}", port))


def test_wrong_key(bugsink, results):
    project = bugsink.new_project("trouble: wrong key")
    dsn = project.dsn.replace(urlsplit(project.dsn).username, "0" * 32)
    result = trouble("send", DSN=dsn).ok()
    text = sdk_lines(result.stderr, r"Unexpected status code")
    assert bugsink.all_events(project) == []
    text = as_documented(text, urlsplit(dsn).port).replace(f":9000{urlsplit(dsn).path}", ":9000/1")  # project 1
    results("sentry/errors/wrong-key.txt", text)


def test_rate_limited_429(results):
    with HttpReceiver(Reply(429, {"Retry-After": "60"}, b"")) as server:
        port = urlsplit(server.url).port
        result = trouble("send", DSN=f"http://{KEY}@127.0.0.1:{port}/1").ok()
    results("sentry/errors/rate-limited-429.txt", sdk_lines(result.stderr, r"Rate-limited"))


def test_transactions_rate_limited_by_bugsink(bugsink, results):
    project = bugsink.new_project("trouble: transactions")
    result = trouble("transactions", DSN=project.dsn).ok()
    assert result.stdout.strip() == "sampled: True"  # sampled, and still not stored
    assert bugsink.all_events(project) == []
    results("sentry/errors/transactions-rate-limited.txt", sdk_lines(result.stderr, r"Rate-limited"))


# -- the SDK drops it on purpose -------------------------------------------------------------------


def test_before_send_returned_none(results):
    result = trouble("before-send-none", DSN=f"http://{KEY}@127.0.0.1:{free_port()}/1").ok()
    assert result.stdout.strip() == "capture_message() returned: None"
    results("sentry/errors/before-send-dropped.txt",
            f"{result.stdout.strip()}\n{sdk_lines(result.stderr, r'before send')}")


def test_sample_rate_drops_silently(results):
    result = trouble("sample-rate", DSN=f"http://{KEY}@127.0.0.1:{free_port()}/1").ok()
    assert result.stdout.strip() == "capture_message() returned: None"
    assert not re.search(r"sampl|dropp|discard", result.stderr, re.IGNORECASE)  # the debug log says nothing
    results("sentry/errors/sample-rate.txt", result.stdout)


def test_transactions_without_traces_sample_rate(results):
    for scenario, row in [("no-traces-sample-rate", "no-traces-sample-rate"),
                          ("traces-sample-rate-0", "traces-sample-rate-0")]:  # fmt: skip
        result = trouble(scenario, DSN=f"http://{KEY}@127.0.0.1:{free_port()}/1").ok()
        assert result.stdout.strip() == "sampled: False"
        results(f"sentry/errors/{row}.txt", sdk_lines(result.stderr, r"Discarding"))


def test_session_without_release(bugsink, results, tmp_path):
    """Not in a git checkout and no SENTRY_RELEASE: no release, so the server could not use the session."""
    project = bugsink.new_project("trouble: release")
    result = run(TROUBLE, "session-without-release", cwd=tmp_path,
                 env={"DSN": project.dsn, "SENTRY_RELEASE": ""}).ok()  # fmt: skip
    assert result.stdout.strip() == "release: None"
    results("sentry/errors/session-without-release.txt", sdk_lines(result.stderr, r"session"))


# -- at exit ---------------------------------------------------------------------------------------


def test_flush_timed_out(results):
    result = trouble("flush-timeout").ok()
    results("sentry/errors/flush-timed-out.txt", sdk_lines(result.stderr, r"flush timed out"), vary=True)


def test_pending_at_exit(results):
    result = trouble("pending-at-exit").ok()
    text = "\n".join(line for line in result.stderr.splitlines() if not line.startswith(" [sentry]"))
    assert text.startswith("Sentry is attempting to send")
    results("sentry/errors/pending-at-exit.txt", text, vary=True)


# -- init() warnings -------------------------------------------------------------------------------


def test_init_warnings(results):
    lines = trouble("warnings").ok().stdout.splitlines()
    assert len(lines) == 3, lines
    for row, line in zip(["send-default-pii-deprecated", "profiling-deprecated", "event-scrubber-ignored"], lines,
                         strict=True):
        results(f"sentry/errors/{row}.txt", line)
