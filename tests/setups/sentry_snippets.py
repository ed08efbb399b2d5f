"""Sentry snippets: each gets a fresh Bugsink project; what it sends is asserted in the server."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def fresh_project(ctx):
    bugsink = ctx.fixture("bugsink")
    ctx.data["project"] = project = bugsink.new_project(ctx.rel)
    ctx.env["SENTRY_DSN"] = project.dsn
    yield


def stored(check):
    """After the snippet: `check(events)` gets the full events Bugsink stored for the snippet's project."""

    @contextmanager
    def setup(ctx):
        yield
        check(ctx.fixture("bugsink").all_events(ctx.data["project"]))

    return setup


def _nightly_report(events):
    [event] = events
    data = event["data"]
    assert data["message"] == "Nightly report finished"
    assert (data["level"], data["environment"], data["release"]) == ("info", "tutorial", "guide@1.0.0")


SETUPS = {
    "sentry/": [fresh_project],
    "sentry/capture_message.py": [stored(_nightly_report)],
}
