"""Sentry snippets: each gets a fresh Bugsink project, and what it sent is asserted where the server stored it.

Snippets run in the test process, so the SDK's global state (client, scopes, breadcrumbs) is reset
around each one. Apps (FastAPI, Celery workers) run as real subprocesses with the project's DSN.
The event accessors (`data`, `exception`, `frame_vars`, `crumbs`, `without_source`) are in
services/bugsink.py.
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING

import sentry_sdk
from services.bugsink import Bugsink, Project, crumbs, data, exception, frame_vars, without_source
from services.procs import child_env, free_port, spawn, stop, wait_ready

from setups.common import afterwards, receiver, served, smtp_inbox, with_env, worker

if TYPE_CHECKING:
    from harness import SnippetContext

# -- around every Sentry snippet ----------------------------------------------------------------


def _reset_sdk() -> None:
    client = sentry_sdk.get_client()
    if client.is_active():
        client.close(timeout=0.5)  # snippets flush themselves; never wait on a dead server here
    for scope in (sentry_sdk.get_isolation_scope(), sentry_sdk.get_current_scope(), sentry_sdk.get_global_scope()):
        scope.clear()
    sentry_sdk.get_global_scope().set_client(None)


@contextmanager
def fresh_project(ctx: SnippetContext):
    ctx.project = ctx.bugsink.new_project(ctx.rel)
    ctx.env["SENTRY_DSN"] = ctx.project.dsn
    _reset_sdk()
    try:
        yield
    finally:
        _reset_sdk()


def stored(check: Callable[[list[dict]], None], timeout: float = 0.0):
    """After the snippet: `check(events)` gets the full events Bugsink stored for the snippet's project.

    With `timeout`, the check is retried until it passes (events sent by another process, e.g. an app
    or a worker, arrive a little later than the snippet's own output).
    """
    return afterwards(lambda ctx: check(ctx.bugsink.all_events(ctx.project)), timeout)


def stored_issues(check: Callable[[Bugsink, Project], None]):
    """Like `stored`, but `check(bugsink, project)` can look at issues and search them."""
    return afterwards(lambda ctx: check(ctx.bugsink, ctx.project))


# -- what each snippet must have left in Bugsink -------------------------------------------------


def _nightly_report(events):
    [event] = events
    d = data(event)
    assert d["message"] == "Nightly report finished"
    assert (d["level"], d["environment"], d["release"]) == ("info", "tutorial", "guide@1.0.0")


def _first_error(events):
    by_level = {data(e)["level"]: data(e) for e in events}
    assert sorted(by_level) == ["error", "warning"]
    error, warning = by_level["error"], by_level["warning"]
    exc = error["exception"]["values"][-1]
    assert (exc["type"], exc["value"]) == ("ValueError", "could not convert string to float: '12,50'")
    assert exc["stacktrace"]["frames"][-1]["function"] == "parse_price"  # the raise site comes last
    assert warning["message"] == "Price import finished with 1 error"
    for d in (error, warning):
        assert (d["release"], d["environment"]) == ("shop@1.4.2", "development")


def _nothing(events):
    assert events == []


def _context_tags_user(events):
    [event] = events
    d = data(event)
    assert d["tags"] == {"tenant": "acme", "payment.provider": "stripe"}
    assert d["user"] == {"id": "u-1042", "email": "ada@example.com"}
    assert d["contexts"]["order"] == {"id": 7731, "items": 3, "total": 59.9}
    assert exception(event)["type"] == "TimeoutError"


def _breadcrumbs(events):
    [event] = events
    d = data(event)
    assert (d["level"], d["logger"]) == ("error", "checkout")
    assert d["logentry"]["formatted"] == "could not reserve stock for SKU-7"
    assert crumbs(event) == [
        ("checkout", "cart loaded with 3 items"),
        ("payment", "card authorised"),
        ("checkout", "stock low for SKU-7"),
    ]
    assert d["breadcrumbs"]["values"][1]["data"] == {"amount": 59.9}


def _scoped_context(events):
    by_text = {(data(e).get("message") or exception(e)["value"]): e for e in events}
    assert sorted(by_text) == ["invoice INV-1 has no total", "invoice INV-2 has no total", "invoice import finished"]
    for number in ("INV-1", "INV-2"):
        event = by_text[f"invoice {number} has no total"]
        assert data(event)["tags"] == {"invoice": number}
        assert crumbs(event) == [("import", f"read {number}")]  # not the other job's
    finished = data(by_text["invoice import finished"])
    assert "invoice" not in (finished.get("tags") or {}) and not finished.get("breadcrumbs", {}).get("values")


def _fastapi_events(ctx: SnippetContext):
    by_type = {exception(e)["type"]: data(e) for e in ctx.bugsink.all_events(ctx.project)}
    assert sorted(by_type) == ["HTTPException", "ZeroDivisionError"]
    crash = by_type["ZeroDivisionError"]
    assert crash["request"]["method"] == "GET"
    assert crash["request"]["url"] == ctx.app.url + "/orders/2"
    assert crash["transaction"] == "/orders/{order_id}"
    assert crash["exception"]["values"][-1]["mechanism"]["handled"] is False
    assert crash["environment"] == "development"
    assert by_type["HTTPException"]["request"]["url"] == ctx.app.url + "/payments"


@contextmanager
def flask_served(ctx: SnippetContext):
    """`flask --app flask_app run --port PORT` from the snippet's folder, as flask_app.py says, on a free port."""
    port, folder = free_port(), ctx.path.parent
    log = ctx.tmp_path / f"flask-{port}.log"
    argv = [sys.executable, "-m", "flask", "--app", "flask_app", "run", "--port", str(port)]
    proc = spawn(argv, log=log, cwd=folder, env=child_env(folder, ctx.env))
    ctx.env["APP_URL"] = url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            urllib.request.urlopen(url + "/orders/1", timeout=2).close()
        except urllib.error.URLError:
            return False
        return True

    try:
        wait_ready(proc, log, up, what="flask --app flask_app run", timeout=30)
        yield
    finally:
        stop(proc)


def _flask_events(ctx: SnippetContext):
    [event] = ctx.bugsink.all_events(ctx.project)  # the 503 from abort() is not reported
    d = data(event)
    assert (exception(event)["type"], exception(event)["mechanism"]) == ("ZeroDivisionError",
                                                                         {"type": "flask", "handled": False})
    assert (d["request"]["method"], d["request"]["url"]) == ("GET", ctx.env["APP_URL"] + "/orders/2")
    assert d["transaction"] == "average_price"  # the view function (transaction_style="endpoint")
    assert d["environment"] == "development"


def _celery_failure(events):
    [event] = events
    d = data(event)
    assert (exception(event)["type"], exception(event)["value"]) == ("ValueError", "card declined for order 7731")
    assert d["transaction"] == "sentry_tasks.charge_card"  # servers index it as the `transaction` tag
    assert d["tags"]["component"] == "worker" and set(d["tags"]) == {"celery_task_id", "component"}
    assert d["extra"]["celery-job"] == {"task_name": "sentry_tasks.charge_card", "args": "[Filtered]",
                                        "kwargs": "[Filtered]"}
    assert exception(event)["mechanism"] == {"type": "celery", "handled": False}
    assert d["environment"] == "development"  # the stage, as in fastapi_app.py; the role is the tag


def _celery_retries(events):
    [event] = events  # nothing for the 2 retries of either task, nothing for the task that recovered
    assert (exception(event)["type"], exception(event)["value"]) == ("ConnectionError", "warehouse API timed out")
    assert data(event)["transaction"] == "sentry_tasks.sync_inventory"


def _trace_matches_bugsink(ctx: SnippetContext):
    transport = sentry_sdk.get_client().transport
    [tx] = [payload for kind, payload in type(transport).items if kind == "transaction"]
    [event] = ctx.bugsink.all_events(ctx.project)  # the error only: the transaction was dropped
    assert exception(event)["type"] == "ConnectionError"
    assert data(event)["contexts"]["trace"]["trace_id"] == tx["contexts"]["trace"]["trace_id"]


SECRETS = ["hunter2", "tok_live", "s3cret"]


def _scrub_defaults(events):
    [event] = events
    v = frame_vars(event, "connect")
    assert v["password"] == "[Filtered]"  # on the default denylist
    assert (v["api_token"], v["db_passwd"]) == ("'tok_live'", "'s3cret'")  # names not on it
    assert v["settings"] == {"host": "'db.internal'", "password": "'hunter2'"}  # nested: not scanned
    assert ("auth", "login to db.internal failed with password hunter2") in crumbs(event)  # text: not scanned


def _scrub_denylist(events):
    [event] = events
    v = frame_vars(event, "connect")
    assert v["password"] == v["api_token"] == v["db_passwd"] == v["settings"]["password"] == "[Filtered]"
    assert ("auth", "login to db.internal failed with password hunter2") in crumbs(event)  # still: keys only


def _before_send(events):
    [event] = events
    text = json.dumps(without_source(data(event)))
    assert [secret for secret in SECRETS if secret in text] == []
    assert frame_vars(event, "connect")["api_token"] == "[scrubbed]"
    assert crumbs(event) == []


def _privacy_request(ctx: SnippetContext):
    [event] = ctx.bugsink.all_events(ctx.project)
    d = data(event)
    text = json.dumps(without_source(d))
    assert [s for s in ["hunter2", "tok_live_123", "s3ss10n", "qs-secret", "203.0.113.7"] if s in text] == []
    assert (d["request"]["method"], d["request"]["url"]) == ("POST", ctx.app.url + "/login")
    assert d["request"]["data"] == {"username": "ada", "password": "[Filtered]"}
    login = frame_vars(event, "login")
    assert login["body"] == {"username": "'ada'", "password": "[Filtered]"}  # nested: recursive=True
    assert login["request"]["client"] == "[Filtered]"  # the client's address, from X-Forwarded-For
    assert "user" not in d or "ip_address" not in (d["user"] or {})


def _fingerprint(bugsink: Bugsink, project: Project):
    issues = sorted(bugsink.issues(project), key=lambda i: -i["digested_event_count"])
    assert [i["digested_event_count"] for i in issues] == [2, 1, 1]
    payments = [data(e) for e in bugsink.events(issues[0]["id"])]
    assert sorted(e["exception"]["values"][-1]["type"] for e in payments) == ["ConnectionRefusedError", "TimeoutError"]
    assert all(e["fingerprint"] == ["payments-api-down"] for e in payments)
    tenants = sorted(data(bugsink.events(i["id"])[0])["fingerprint"][1] for i in issues[1:])
    assert tenants == ["acme", "globex"]


def _releases(bugsink: Bugsink, project: Project):
    [issue] = bugsink.issues(project)
    assert issue["digested_event_count"] == 3
    pairs = sorted((data(e)["release"], data(e)["environment"]) for e in bugsink.events(issue["id"]))
    assert pairs == [("shop@1.4.2", "production"), ("shop@1.4.2", "staging"), ("shop@1.5.0", "production")]
    found = {q: len(bugsink.issues(project, q=q)) for q in
             ["release:shop@1.5.0", "environment:staging", "environment:qa", "release:shop@9.9.9"]}
    assert found == {"release:shop@1.5.0": 1, "environment:staging": 1, "environment:qa": 0, "release:shop@9.9.9": 0}


@contextmanager
def alert_webhooks(ctx: SnippetContext):
    """Before alert_new_issue.py: the project alerts on new issues to Slack and Discord (the receiver)."""
    hooks = {"slack": f"{ctx.receiver.url}/slack", "discord": f"{ctx.receiver.url}/discord"}
    ctx.bugsink.add_alert_webhooks(ctx.project, hooks)
    yield


def _one_alert_for_three_events(ctx: SnippetContext):
    [issue] = ctx.bugsink.issues(ctx.project)
    assert issue["digested_event_count"] == 3
    [slack], [discord] = ctx.receiver.at("/slack"), ctx.receiver.at("/discord")  # one alert for three events
    assert slack.json()["text"] == "OSError: nightly export failed: disk full"
    assert discord.json()["embeds"][0]["title"] == "OSError: nightly export failed: disk full"
    assert discord.json()["embeds"][0]["description"] == "NEW issue"
    assert len(ctx.receiver.requests) == 2


WEBHOOK_SECRET = "test-client-secret-0123456789abcdef"


def _forwarder_env(ctx: SnippetContext) -> dict[str, str]:
    """Where webhook_forwarder.py sends what it forwards: the receiver (Slack, Discord, Twilio) and the inbox."""
    return {
        "SLACK_WEBHOOK_URL": f"{ctx.receiver.url}/slack", "DISCORD_WEBHOOK_URL": f"{ctx.receiver.url}/discord",
        "TWILIO_API_BASE": ctx.receiver.url, "TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "twilio-token",
        "WHATSAPP_FROM": "whatsapp:+14155238886", "WHATSAPP_TO": "whatsapp:+15005550006",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(ctx.smtp.port), "ALERT_EMAIL_TO": "oncall@example.com",
    }


def _forwarded(ctx: SnippetContext):
    rec = ctx.receiver
    text = "[error] ZeroDivisionError: division by zero\nhttps://sentry.example.com/issues/42/events/abc/"
    [slack], [discord] = rec.at("/slack"), rec.at("/discord")
    assert slack.json() == {"text": text} and discord.json() == {"content": text}
    [twilio] = rec.at("/2010-04-01/Accounts/ACtest/Messages.json")
    assert twilio.form() == {"From": "whatsapp:+14155238886", "To": "whatsapp:+15005550006", "Body": text}
    assert twilio.headers["Authorization"] == "Basic " + base64.b64encode(b"ACtest:twilio-token").decode()
    assert len(rec.requests) == 3  # the tampered and unsigned payloads were forwarded nowhere
    [mail] = ctx.smtp.wait_for(1)
    assert (mail["To"], mail["Subject"]) == ("oncall@example.com", "[error] ZeroDivisionError: division by zero")


def _max_breadcrumbs(events):
    [event] = events
    assert crumbs(event) == [("import", f"batch {n}") for n in range(6, 11)]


def _sample_rate(bugsink: Bugsink, project: Project):
    [issue] = bugsink.issues(project)  # "job 3 failed", "job 7 failed": one issue (numbers normalised)
    assert 0 < issue["digested_event_count"] < 50


def _dashboard(events):
    assert len(events) == 3
    assert sorted(data(e)["user"]["id"] for e in events) == ["u-1042", "u-2001", "u-3107"]
    for event in events:
        assert crumbs(event) == [("checkout", "cart total is 59.90"), ("coupon", "SPRING entered")]
        assert exception(event)["type"] == "KeyError"


SENTRY_WORKER = worker("sentry_tasks.py", per_snippet=True)  # it reports to the snippet's project: not shared

SETUPS = {
    "sentry/": [fresh_project],
    "sentry/capture_message.py": [stored(_nightly_report)],
    "sentry/first_error.py": [stored(_first_error)],
    "sentry/bad_dsn.py": [stored(_nothing)],
    "sentry/context_tags_user.py": [stored(_context_tags_user)],
    "sentry/breadcrumbs.py": [stored(_breadcrumbs)],
    "sentry/scoped_context.py": [stored(_scoped_context)],
    "sentry/fastapi_call.py": [served("fastapi_app:app"), afterwards(_fastapi_events, timeout=10)],
    "sentry/flask_call.py": [flask_served, afterwards(_flask_events, timeout=10)],
    "sentry/celery_task_fails.py": [SENTRY_WORKER, stored(_celery_failure, timeout=10)],
    "sentry/celery_task_retries.py": [SENTRY_WORKER, stored(_celery_retries, timeout=10)],
    "sentry/tracing_spans.py": [afterwards(_trace_matches_bugsink)],
    "sentry/traces_sampler.py": [stored(_nothing)],
    "sentry/scrubbing_defaults.py": [stored(_scrub_defaults)],
    "sentry/scrubbing_denylist.py": [stored(_scrub_denylist)],
    "sentry/before_send_scrub.py": [stored(_before_send)],
    "sentry/privacy_request.py": [served("privacy_app:app"), afterwards(_privacy_request, timeout=10)],
    "sentry/fingerprint.py": [stored_issues(_fingerprint)],
    "sentry/releases_environments.py": [stored_issues(_releases)],
    "sentry/alert_new_issue.py": [receiver, alert_webhooks, afterwards(_one_alert_for_three_events)],
    "sentry/webhook_send_signed.py": [
        receiver,
        smtp_inbox,
        with_env(SENTRY_CLIENT_SECRET=WEBHOOK_SECRET),
        served("webhook_forwarder:app", url_env="FORWARDER_URL", env=_forwarder_env),
        afterwards(_forwarded),
    ],
    "sentry/max_breadcrumbs.py": [stored(_max_breadcrumbs)],
    "sentry/sample_rate.py": [stored_issues(_sample_rate)],
    "sentry/server_unreachable.py": [stored(_nothing)],
    "sentry/server_hanging.py": [stored(_nothing)],
    "sentry/rate_limited.py": [stored(_nothing)],
    "sentry/dashboard_demo.py": [stored(_dashboard)],
}
