"""Sentry snippets: each gets a fresh Bugsink project; what it sends is asserted in the server.

Snippets run in the test process, so the SDK's global state (client, scopes, breadcrumbs) is reset
around each one. Apps (FastAPI, Celery workers) run as real subprocesses with the project's DSN.
"""

from __future__ import annotations

import base64
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

import sentry_sdk
from services.asgi_app import UvicornApp
from services.browser import chromium
from services.celery_worker import CeleryWorker
from services.http_receiver import HttpReceiver
from services.procs import tail
from services.smtp import SmtpServer

# -- around every Sentry snippet ----------------------------------------------------------------


def _reset_sdk() -> None:
    client = sentry_sdk.get_client()
    if client.is_active():
        client.close(timeout=0.5)  # snippets flush themselves; never wait on a dead server here
    for scope in (sentry_sdk.get_isolation_scope(), sentry_sdk.get_current_scope(), sentry_sdk.get_global_scope()):
        scope.clear()
    sentry_sdk.get_global_scope().set_client(None)


@contextmanager
def fresh_project(ctx):
    bugsink = ctx.fixture("bugsink")
    ctx.data["project"] = project = bugsink.new_project(ctx.rel)
    ctx.env["SENTRY_DSN"] = project.dsn
    _reset_sdk()
    try:
        yield
    finally:
        _reset_sdk()


def stored(check, timeout: float = 0.0):
    """After the snippet: `check(events)` gets the full events Bugsink stored for the snippet's project.

    With `timeout`, the check is retried until it passes (events sent by another process, e.g. an app
    or a worker, arrive a little later than the snippet's own output).
    """

    @contextmanager
    def setup(ctx):
        yield
        bugsink = ctx.fixture("bugsink")
        deadline = time.monotonic() + timeout
        while True:
            try:
                check(bugsink.all_events(ctx.data["project"]))
                return
            except (AssertionError, ValueError) as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{exc!r}{_logs(ctx)}") from exc
                time.sleep(0.2)

    return setup


def _logs(ctx) -> str:
    """The tail of the app's / worker's log, for a failure message."""
    parts = [f"\n--- {name} log:\n{tail(ctx.data[name].log)}" for name in ("app", "worker") if name in ctx.data]
    return "".join(parts)


def stored_issues(check, timeout: float = 0.0):
    """Like `stored`, but `check(bugsink, project)` can look at issues and search them."""

    @contextmanager
    def setup(ctx):
        yield
        bugsink, project = ctx.fixture("bugsink"), ctx.data["project"]
        deadline = time.monotonic() + timeout
        while True:
            try:
                check(bugsink, project)
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    return setup


def data(event: dict) -> dict:
    return event["data"]


def exception(event: dict) -> dict:
    return data(event)["exception"]["values"][-1]


def frame_vars(event: dict, function: str) -> dict:
    [frame] = [f for f in exception(event)["stacktrace"]["frames"] if f["function"] == function]
    return frame["vars"]


def crumbs(event: dict) -> list[tuple[str | None, str | None]]:
    return [(c.get("category"), c.get("message")) for c in data(event).get("breadcrumbs", {}).get("values", [])]


# -- apps and helpers around some snippets -------------------------------------------------------


def served(target: str, url_env: str = "APP_URL", **extra_env: str):
    """Serve `module:app` from the snippet's folder with uvicorn (the snippet's env + `extra_env`)."""

    @contextmanager
    def setup(ctx):
        env = {**ctx.env, **{k: v.format(**ctx.data) for k, v in extra_env.items()}}
        with UvicornApp(target, cwd=ctx.path.parent, env=env, logdir=ctx.tmp_path) as app:
            ctx.data["app"] = app
            ctx.env[url_env] = app.url
            yield

    return setup


@contextmanager
def receiver(ctx):
    """A local HTTP endpoint standing in for Slack, Discord and Twilio."""
    with HttpReceiver() as rec:
        ctx.data["receiver"] = rec
        ctx.data["receiver_url"] = rec.url
        yield


@contextmanager
def smtp_inbox(ctx):
    with SmtpServer() as smtp:
        ctx.data["smtp"] = smtp
        ctx.data["smtp_port"] = str(smtp.port)
        yield


def celery_worker(app: str):
    """A worker for this snippet only: it reports to the snippet's project, so it must not outlive it
    (a second worker on the same queue with another DSN would take half of the next snippet's tasks)."""

    @contextmanager
    def setup(ctx):
        with CeleryWorker(app, cwd=ctx.path.parent, env=ctx.env, logdir=ctx.tmp_path) as worker:
            ctx.data["worker"] = worker
            yield

    return setup


# -- what each snippet must have left in Bugsink -------------------------------------------------


def _nightly_report(events):
    [event] = events
    d = data(event)
    assert d["message"] == "Nightly report finished"
    assert (d["level"], d["environment"], d["release"]) == ("info", "tutorial", "guide@1.0.0")


def _first_error(events):
    by_level = {data(e)["level"]: data(e) for e in events}
    assert sorted(by_level) == ["error", "warning"], by_level.keys()
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
    assert (d["level"], d["logger"], d["logentry"]["formatted"]) == ("error", "checkout", "could not reserve stock for SKU-7")
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


def _fastapi_events(ctx):
    def check(events):
        by_type = {exception(e)["type"]: data(e) for e in events}
        assert sorted(by_type) == ["HTTPException", "ZeroDivisionError"], sorted(by_type)
        crash = by_type["ZeroDivisionError"]
        assert crash["request"]["method"] == "GET"
        assert crash["request"]["url"] == ctx.data["app"].url + "/orders/2"
        assert crash["transaction"] == "/orders/{order_id}"
        assert crash["exception"]["values"][-1]["mechanism"]["handled"] is False
        assert crash["environment"] == "development"
        assert by_type["HTTPException"]["request"]["url"] == ctx.data["app"].url + "/payments"

    return check


def stored_ctx(make_check, timeout: float = 0.0):
    """`stored`, for checks that need the snippet's context (e.g. the app's URL)."""

    @contextmanager
    def setup(ctx):
        with stored(make_check(ctx), timeout)(ctx):
            yield

    return setup


def with_env(**values: str):
    """Extra variables for the snippet (and for apps a later setup serves)."""

    @contextmanager
    def setup(ctx):
        ctx.env.update(values)
        yield

    return setup


def _celery_failure(events):
    [event] = events
    d = data(event)
    assert (exception(event)["type"], exception(event)["value"]) == ("ValueError", "card declined for order 7731")
    assert d["transaction"] == "sentry_tasks.charge_card"  # servers index it as the `transaction` tag
    assert set(d["tags"]) == {"celery_task_id"}
    assert d["extra"]["celery-job"] == {"task_name": "sentry_tasks.charge_card", "args": "[Filtered]", "kwargs": "[Filtered]"}
    assert exception(event)["mechanism"] == {"type": "celery", "handled": False}
    assert d["environment"] == "worker"


def _celery_retries(events):
    [event] = events  # nothing for the 2 retries of either task, nothing for the task that recovered
    assert (exception(event)["type"], exception(event)["value"]) == ("ConnectionError", "warehouse API timed out")
    assert data(event)["transaction"] == "sentry_tasks.sync_inventory"


@contextmanager
def _trace_matches_bugsink(ctx):
    yield
    transport = sentry_sdk.get_client().transport
    [tx] = [payload for kind, payload in type(transport).items if kind == "transaction"]
    [event] = ctx.fixture("bugsink").all_events(ctx.data["project"])  # the error only: the transaction was dropped
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


def without_source(d: dict) -> dict:
    """The event minus the source lines around each frame (code, not runtime data: literals in it travel too)."""
    d = json.loads(json.dumps(d))
    for exc in d.get("exception", {}).get("values", []):
        for frame in exc.get("stacktrace", {}).get("frames", []):
            for key in ("pre_context", "context_line", "post_context"):
                frame.pop(key, None)
    return d


def _before_send(events):
    [event] = events
    text = json.dumps(without_source(data(event)))
    assert not [secret for secret in SECRETS if secret in text]
    assert frame_vars(event, "connect")["api_token"] == "[scrubbed]"
    assert crumbs(event) == []


def _privacy_request(ctx):
    def check(events):
        [event] = events
        d = data(event)
        text = json.dumps(without_source(d))
        leaked = [s for s in ["hunter2", "tok_live_123", "s3ss10n", "qs-secret", "203.0.113.7"] if s in text]
        assert leaked == []
        assert (d["request"]["method"], d["request"]["url"]) == ("POST", ctx.data["app"].url + "/login")
        assert d["request"]["data"] == {"username": "ada", "password": "[Filtered]"}
        login = frame_vars(event, "login")
        assert login["body"] == {"username": "'ada'", "password": "[Filtered]"}  # nested: recursive=True
        assert login["request"]["client"] == "[Filtered]"  # the client's address, from X-Forwarded-For
        assert "user" not in d or "ip_address" not in (d["user"] or {})

    return check


def _fingerprint(bugsink, project):
    issues = sorted(bugsink.issues(project), key=lambda i: -i["digested_event_count"])
    assert [i["digested_event_count"] for i in issues] == [2, 1, 1]
    payments = [data(e) for e in bugsink.events(issues[0]["id"])]
    assert sorted(e["exception"]["values"][-1]["type"] for e in payments) == ["ConnectionRefusedError", "TimeoutError"]
    assert all(e["fingerprint"] == ["payments-api-down"] for e in payments)
    tenants = sorted(data(bugsink.events(i["id"])[0])["fingerprint"][1] for i in issues[1:])
    assert tenants == ["acme", "globex"]


def _releases(bugsink, project):
    [issue] = bugsink.issues(project)
    assert issue["digested_event_count"] == 3
    pairs = sorted((data(e)["release"], data(e)["environment"]) for e in bugsink.events(issue["id"]))
    assert pairs == [("shop@1.4.2", "production"), ("shop@1.4.2", "staging"), ("shop@1.5.0", "production")]
    found = {q: len(bugsink.issues(project, q=q)) for q in
             ["release:shop@1.5.0", "environment:staging", "environment:qa", "release:shop@9.9.9"]}
    assert found == {"release:shop@1.5.0": 1, "environment:staging": 1, "environment:qa": 0, "release:shop@9.9.9": 0}


@contextmanager
def _alert_webhooks(ctx):
    with HttpReceiver() as rec:
        bugsink = ctx.fixture("bugsink")
        bugsink.add_alert_webhooks(ctx.data["project"], {"slack": rec.url + "/slack", "discord": rec.url + "/discord"})
        yield
        [issue] = bugsink.issues(ctx.data["project"])
        assert issue["digested_event_count"] == 3
        [slack], [discord] = rec.at("/slack"), rec.at("/discord")  # one alert for three events
        assert slack.json()["text"] == "OSError: nightly export failed: disk full"
        assert discord.json()["embeds"][0]["title"] == "OSError: nightly export failed: disk full"
        assert discord.json()["embeds"][0]["description"] == "NEW issue"
        assert len(rec.requests) == 2


WEBHOOK_SECRET = "test-client-secret-0123456789abcdef"


@contextmanager
def _forwarded(ctx):
    yield
    rec, smtp = ctx.data["receiver"], ctx.data["smtp"]
    text = "[error] ZeroDivisionError: division by zero\nhttps://sentry.example.com/issues/42/events/abc/"
    [slack], [discord] = rec.at("/slack"), rec.at("/discord")
    assert slack.json() == {"text": text} and discord.json() == {"content": text}
    [twilio] = rec.at("/2010-04-01/Accounts/ACtest/Messages.json")
    assert twilio.form() == {"From": "whatsapp:+14155238886", "To": "whatsapp:+15005550006", "Body": text}
    assert twilio.headers["Authorization"] == "Basic " + base64.b64encode(b"ACtest:twilio-token").decode()
    assert len(rec.requests) == 3  # the tampered and unsigned payloads were forwarded nowhere
    [mail] = smtp.wait_for(1)
    assert (mail["To"], mail["Subject"]) == ("oncall@example.com", "[error] ZeroDivisionError: division by zero")


def _max_breadcrumbs(events):
    [event] = events
    assert crumbs(event) == [("import", f"batch {n}") for n in range(6, 11)]


def _sample_rate(bugsink, project):
    [issue] = bugsink.issues(project)  # "job 3 failed", "job 7 failed": one issue (numbers normalised)
    assert 0 < issue["digested_event_count"] < 50, issue


def _dashboard(events):
    assert len(events) == 3
    assert sorted(data(e)["user"]["id"] for e in events) == ["u-1042", "u-2001", "u-3107"]
    for event in events:
        assert crumbs(event) == [("checkout", "cart total is 59.90"), ("coupon", "SPRING entered")]
        assert exception(event)["type"] == "KeyError"


ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / ".artifacts" / "sentry-dashboard"
DOCS_IMG = ROOT / "docs" / "sentry" / "img"
# `GUIDE_UPDATE_SCREENSHOTS=1 python3 tests/run.py tests/test_snippets.py -k dashboard_demo` refreshes the page's images
UPDATE_DOCS = os.environ.get("GUIDE_UPDATE_SCREENSHOTS") == "1"


def _palette_png(path: Path) -> bytes:
    """Re-save a UI screenshot with a 64-colour palette: a quarter of the bytes, no visible change
    (keeps the dashboard page under the 400 KB page-weight budget; bench/site_budget.py)."""
    from PIL import Image

    Image.open(path).convert("RGB").quantize(64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.read_bytes()


@contextmanager
def _dashboard_screenshots(ctx):
    """Log in to Bugsink's web UI in headless Chromium and photograph the issue the snippet created."""
    yield
    bugsink, (user, password) = ctx.fixture("bugsink"), ctx.fixture("bugsink_admin")
    [issue] = bugsink.issues(ctx.data["project"])
    base = f"{bugsink.url}/issues/issue/{issue['id']}/event/last"
    shots = {  # file: (page, viewport height)
        "issue-list.png": (f"{bugsink.url}/issues/{ctx.data['project'].id}/", 360),
        "issue-stacktrace.png": (f"{base}/", 720),
        "issue-breadcrumbs.png": (f"{base}/breadcrumbs/", 500),
        "issue-tags.png": (f"{bugsink.url}/issues/issue/{issue['id']}/tags/", 700),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 720})
        page.goto(f"{bugsink.url}/accounts/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", password)
        page.click("button:has-text('Login')")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{bugsink.url}/issues/{ctx.data['project'].id}/")
        silence = page.locator("div[title=Ignore] button")  # the "email is not set up" banner
        if silence.count():
            silence.first.click()
            page.wait_for_load_state()
        for name, (url, height) in shots.items():
            page.set_viewport_size({"width": 1024, "height": height})
            response = page.goto(url)
            assert response.status == 200, (url, response.status)
            page.screenshot(path=SCREENSHOTS / name)
        # "users affected": the user tags' distribution, further down the Tags tab
        top = page.get_by_text("user:", exact=True).bounding_box()["y"]
        height = page.evaluate("document.body.scrollHeight") - top
        page.screenshot(path=SCREENSHOTS / "issue-users.png", full_page=True,
                        clip={"x": 0, "y": top - 12, "width": 1024, "height": min(height, 480)})  # fmt: skip
    for name in [*shots, "issue-users.png"]:
        png = _palette_png(SCREENSHOTS / name)
        assert png.startswith(b"\x89PNG") and len(png) > 3_000, name
        if UPDATE_DOCS:
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            (DOCS_IMG / name).write_bytes(png)


SETUPS = {
    "sentry/": [fresh_project],
    "sentry/capture_message.py": [stored(_nightly_report)],
    "sentry/first_error.py": [stored(_first_error)],
    "sentry/bad_dsn.py": [stored(_nothing)],
    "sentry/context_tags_user.py": [stored(_context_tags_user)],
    "sentry/breadcrumbs.py": [stored(_breadcrumbs)],
    "sentry/scoped_context.py": [stored(_scoped_context)],
    "sentry/fastapi_call.py": [served("fastapi_app:app"), stored_ctx(_fastapi_events, timeout=10)],
    "sentry/celery_task_fails.py": [celery_worker("sentry_tasks"), stored(_celery_failure, timeout=10)],
    "sentry/celery_task_retries.py": [celery_worker("sentry_tasks"), stored(_celery_retries, timeout=10)],
    "sentry/tracing_spans.py": [_trace_matches_bugsink],
    "sentry/traces_sampler.py": [stored(_nothing)],
    "sentry/scrubbing_defaults.py": [stored(_scrub_defaults)],
    "sentry/scrubbing_denylist.py": [stored(_scrub_denylist)],
    "sentry/before_send_scrub.py": [stored(_before_send)],
    "sentry/privacy_request.py": [served("privacy_app:app"), stored_ctx(_privacy_request, timeout=10)],
    "sentry/fingerprint.py": [stored_issues(_fingerprint)],
    "sentry/releases_environments.py": [stored_issues(_releases)],
    "sentry/alert_new_issue.py": [_alert_webhooks],
    "sentry/webhook_send_signed.py": [
        receiver,
        smtp_inbox,
        with_env(SENTRY_CLIENT_SECRET=WEBHOOK_SECRET),
        served(
            "webhook_forwarder:app", url_env="FORWARDER_URL",
            SLACK_WEBHOOK_URL="{receiver_url}/slack", DISCORD_WEBHOOK_URL="{receiver_url}/discord",
            TWILIO_API_BASE="{receiver_url}", TWILIO_ACCOUNT_SID="ACtest", TWILIO_AUTH_TOKEN="twilio-token",
            WHATSAPP_FROM="whatsapp:+14155238886", WHATSAPP_TO="whatsapp:+15005550006",
            SMTP_HOST="127.0.0.1", SMTP_PORT="{smtp_port}", ALERT_EMAIL_TO="oncall@example.com",
        ),  # fmt: skip
        _forwarded,
    ],
    "sentry/max_breadcrumbs.py": [stored(_max_breadcrumbs)],
    "sentry/sample_rate.py": [stored_issues(_sample_rate)],
    "sentry/server_unreachable.py": [stored(_nothing)],
    "sentry/server_hanging.py": [stored(_nothing)],
    "sentry/rate_limited.py": [stored(_nothing)],
    "sentry/dashboard_demo.py": [stored(_dashboard), _dashboard_screenshots],
}
