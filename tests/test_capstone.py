"""The capstone app (snippets/capstone/), end to end: a real uvicorn and a real Celery worker, driven over HTTP.

The stack is ours alone: a private redis-server, a throwaway RabbitMQ vhost, an SMTP inbox in this process,
a fresh Bugsink project, and the app and worker as subprocesses. Everything is started in an ExitStack, so
it is all stopped again when a test fails and even when starting one of the pieces fails
(`test_every_process_is_stopped_*` prove it).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from services.asgi_app import UvicornApp
from services.bugsink import Bugsink, Project
from services.celery_worker import CeleryWorker
from services.paths import DOCS, SNIPPETS
from services.procs import eventually, free_port
from services.rabbitmq import Vhost
from services.redis_server import RedisServer
from services.smtp import SmtpServer

pytestmark = pytest.mark.page("capstone/index.md")

PAGE = DOCS / "capstone" / "index.md"
SIGNUP_LIMIT = 3
# The page tells readers to run exactly this to see a task error in Sentry; the test runs it too.
FAILING_TASK_COMMAND = 'python -c "from capstone.tasks import send_welcome_email; send_welcome_email.delay(999999)"'


@dataclass
class Stack:
    redis: RedisServer
    vhost: Vhost
    smtp: SmtpServer
    project: Project
    worker: CeleryWorker
    app: UvicornApp
    env: dict[str, str]

    def processes(self) -> list[subprocess.Popen]:
        return [self.redis.proc, self.worker.proc, self.app.proc]


@contextmanager
def capstone_stack(workdir: Path, bugsink: Bugsink, new_vhost, *, app_target: str = "capstone.main:app", started=None):
    """Start everything the capstone needs; stop all of it on the way out, whatever happened.

    `started` (a list) receives each piece as soon as it runs, so a test can check them after a failed start.
    """
    started = [] if started is None else started
    with ExitStack() as stack:
        redis = stack.enter_context(RedisServer(workdir, name="redis-capstone"))
        started.append(redis)
        vhost = stack.enter_context(new_vhost("guide-capstone"))
        started.append(vhost)
        smtp = stack.enter_context(SmtpServer())
        started.append(smtp)
        project = bugsink.new_project(f"capstone-{uuid.uuid4().hex[:6]}")
        env = {
            "REDIS_URL": redis.url,
            "AMQP_URL": vhost.url,
            "SENTRY_DSN": project.dsn,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "DATABASE_PATH": str(workdir / "capstone.sqlite3"),
            "SIGNUP_LIMIT": str(SIGNUP_LIMIT),
        }
        # the command the page shows (and tasks.py's docstring), run from snippets/ as the page says
        worker = CeleryWorker.of(SNIPPETS / "capstone" / "tasks.py", cwd=SNIPPETS, env=env, logdir=workdir)
        started.append(worker)
        stack.enter_context(worker)
        app = UvicornApp(app_target, cwd=SNIPPETS, env=env, logdir=workdir)
        started.append(app)
        stack.enter_context(app)
        yield Stack(redis, vhost, smtp, project, worker, app, env)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, bugsink, new_vhost):
    with capstone_stack(tmp_path_factory.mktemp("capstone"), bugsink, new_vhost) as running:
        yield running


@pytest.fixture
def client(stack):
    with httpx.Client(base_url=stack.app.url, timeout=10) as http:
        yield http


@pytest.fixture(autouse=True)
def fresh_rate_limit(request):
    """Each test starts with a full signup allowance (the counters live in our private Redis only)."""
    if "stack" in request.fixturenames:
        redis = request.getfixturevalue("stack").redis.client()
        for key in redis.scan_iter("capstone:signups:*"):
            redis.delete(key)


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


def signup(client: httpx.Client, name: str = "Ada") -> dict:
    response = client.post("/signup", json={"email": new_email(), "name": name})
    assert response.status_code == 201, response.text
    return response.json()


def events_where(bugsink: Bugsink, project: Project, check, what: str) -> list[dict]:
    def found():
        return [e["data"] for e in bugsink.all_events(project) if check(e["data"])]

    return eventually(found, 20, interval=0.3, what=what)


# -- what the app does ----------------------------------------------------------------------------


def test_bad_email_is_rejected_with_422(client, stack):
    response = client.post("/signup", json={"email": "not-an-email", "name": "Ada"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "email"]
    assert "@-sign" in error["msg"]


def test_signup_stores_the_user_and_the_worker_emails_them(client, stack):
    before = len(stack.smtp.messages)
    user = signup(client, name="Grace")
    assert set(user) == {"id", "email", "name"} and user["name"] == "Grace"

    messages = stack.smtp.wait_for(before + 1)
    mail = next(m for m in messages if m["To"] == user["email"])
    assert mail["Subject"] == "Welcome, Grace!"
    assert mail["From"] == "welcome@example.com"
    assert "thanks for signing up" in mail.get_content()
    assert "capstone.tasks.send_welcome_email" in stack.worker.output()


def test_duplicate_email_is_409(client, stack):
    email = new_email()
    assert client.post("/signup", json={"email": email, "name": "Ada"}).status_code == 201
    assert client.post("/signup", json={"email": email, "name": "Ada"}).status_code == 409


def test_second_read_is_a_cache_hit(client, stack):
    user = signup(client)
    first, second = client.get(f"/users/{user['id']}"), client.get(f"/users/{user['id']}")
    assert (first.status_code, first.headers["X-Cache"]) == (200, "miss")
    assert (second.status_code, second.headers["X-Cache"]) == (200, "hit")
    assert first.json() == second.json() == user
    assert 0 < stack.redis.client().ttl(f"capstone:user:{user['id']}") <= 60


def test_unknown_user_is_404_and_not_cached(client, stack):
    assert client.get("/users/424242").status_code == 404
    assert stack.redis.client().exists("capstone:user:424242") == 0


def test_update_invalidates_the_cached_user(client, stack):
    user = signup(client, name="Ada")
    assert client.get(f"/users/{user['id']}").headers["X-Cache"] == "miss"
    assert client.get(f"/users/{user['id']}").headers["X-Cache"] == "hit"

    renamed = client.patch(f"/users/{user['id']}", json={"name": "Ada Lovelace"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Ada Lovelace"

    after = client.get(f"/users/{user['id']}")
    assert (after.headers["X-Cache"], after.json()["name"]) == ("miss", "Ada Lovelace")
    assert client.get(f"/users/{user['id']}").headers["X-Cache"] == "hit"


def test_signup_is_rate_limited_after_the_limit(client, stack):
    statuses = [client.post("/signup", json={"email": new_email(), "name": "Ada"}).status_code
                for _ in range(SIGNUP_LIMIT)]
    assert statuses == [201] * SIGNUP_LIMIT

    refused = client.post("/signup", json={"email": new_email(), "name": "Ada"})
    assert refused.status_code == 429
    assert refused.json() == {"detail": "too many signups, try again later"}
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # the limit applies to /signup only
    assert client.get("/openapi.json").status_code == 200


def test_route_error_reaches_sentry_with_the_request(client, stack, bugsink):
    assert client.get("/sentry-debug").status_code == 500

    def from_route(data):
        return data["exception"]["values"][-1]["type"] == "RuntimeError"

    [event] = events_where(bugsink, stack.project, from_route, "the route error in Bugsink")
    exc = event["exception"]["values"][-1]
    assert exc["value"] == "sentry-debug: this route always fails"
    assert exc["mechanism"] == {"type": "starlette", "handled": False}
    assert event["request"]["method"] == "GET"
    assert event["request"]["url"] == f"{stack.app.url}/sentry-debug"
    assert event["transaction"] == "/sentry-debug"
    assert exc["stacktrace"]["frames"][-1]["function"] == "sentry_debug"


def test_task_error_reaches_sentry_with_the_task_name(stack, bugsink):
    """Run the page's command: it enqueues a welcome email for a user that does not exist."""
    env = {**os.environ, **stack.env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(FAILING_TASK_COMMAND, shell=True, cwd=SNIPPETS, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr

    def from_task(data):
        return data["exception"]["values"][-1]["type"] == "LookupError"

    [event] = events_where(bugsink, stack.project, from_task, "the task error in Bugsink")
    exc = event["exception"]["values"][-1]
    assert exc["value"] == "no user with id 999999"
    assert exc["mechanism"] == {"type": "celery", "handled": False}
    assert event["extra"]["celery-job"]["task_name"] == "capstone.tasks.send_welcome_email"
    assert event["transaction"] == "capstone.tasks.send_welcome_email"
    assert re.fullmatch(r"[0-9a-f-]{36}", event["tags"]["celery_task_id"])
    assert event["extra"]["celery-job"]["args"] == "[Filtered]"  # no send_default_pii: no arguments sent
    assert "LookupError('no user with id 999999')" in stack.worker.output()
    assert FAILING_TASK_COMMAND in PAGE.read_text()


def test_invalid_signups_count_towards_the_limit(client, stack):
    bad = [client.post("/signup", json={"email": "not-an-email", "name": "Ada"}).status_code
           for _ in range(SIGNUP_LIMIT)]
    assert bad == [422] * SIGNUP_LIMIT
    assert client.post("/signup", json={"email": new_email(), "name": "Ada"}).status_code == 429


def test_signup_with_rabbitmq_down_stores_the_user_and_answers_500(stack, bugsink, tmp_path):
    """The INSERT and the task message are not one transaction (the page's "Stored, but not queued")."""
    env = {**stack.env, "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F",
           "DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    with UvicornApp("capstone.main:app", cwd=SNIPPETS, env=env, logdir=tmp_path) as app:
        # one connection per request: uvicorn closes the connection of a request that raised
        signup = httpx.post(f"{app.url}/signup", json={"email": new_email(), "name": "Ada"}, timeout=30)
        assert signup.status_code == 500
        assert httpx.get(f"{app.url}/users/1", timeout=10).json()["name"] == "Ada"  # stored all the same

    def refused(data):
        exc = data["exception"]["values"][-1]
        return exc["type"] == "OperationalError" and "Connection refused" in exc["value"]

    [event] = events_where(bugsink, stack.project, refused, "the broker error in Bugsink")
    assert event["request"]["method"] == "POST" and event["transaction"] == "/signup"


# -- the cache-aside ordering the page warns about, with the package's own functions ---------------


@pytest.fixture
def capstone_pkg(stack, monkeypatch, tmp_path):
    """capstone.cache and capstone.db imported in this process, on the stack's Redis and a fresh SQLite file."""
    for key, value in {**stack.env, "DATABASE_PATH": str(tmp_path / "db.sqlite3")}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.syspath_prepend(str(SNIPPETS))
    try:
        import capstone.cache
        import capstone.db

        yield capstone.cache, capstone.db, stack.redis.client(decode_responses=True)
    finally:
        for name in [m for m in sys.modules if m == "capstone" or m.startswith("capstone.")]:
            del sys.modules[name]


def test_cache_delete_before_the_write_caches_the_old_row(capstone_pkg):
    cache, db, r = capstone_pkg
    user = db.create_user(new_email(), "Old")
    cache.invalidate(r, user["id"])  # wrong order: delete first ...
    assert cache.get_user(r, user["id"]) == (user, "miss")  # ... a read comes in between ...
    db.rename_user(user["id"], "New")  # ... then the write
    assert cache.get_user(r, user["id"]) == (user, "hit")  # the old name, for the whole TTL
    assert r.ttl(cache.user_key(user["id"])) > 0
    r.delete(cache.user_key(user["id"]))


def test_cache_a_read_overlapping_the_write_can_still_store_the_old_row(capstone_pkg, monkeypatch):
    cache, db, r = capstone_pkg
    user = db.create_user(new_email(), "Old")
    read_row = db.get_user

    def slow_read(user_id):
        row = read_row(user_id)  # the reader has the old row ...
        db.rename_user(user_id, "New")  # ... the writer updates and deletes, in the app's order ...
        cache.invalidate(r, user_id)
        return row  # ... and the reader caches what it read

    monkeypatch.setattr(cache, "db", SimpleNamespace(get_user=slow_read))  # what cache.py sees as `db`
    assert cache.get_user(r, user["id"]) == (user, "miss")
    monkeypatch.setattr(cache, "db", db)
    assert cache.get_user(r, user["id"]) == (user, "hit")  # stale ...
    assert 0 < r.ttl(cache.user_key(user["id"])) <= 60  # ... until the TTL ends
    r.delete(cache.user_key(user["id"]))
    assert cache.get_user(r, user["id"]) == ({**user, "name": "New"}, "miss")


# -- the test's own promise: nothing keeps running -------------------------------------------------


def _gone(proc: subprocess.Popen) -> bool:
    """The process has exited, and nothing else is left in its process group."""
    if proc.poll() is None:
        return False
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return True
    return False


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_every_process_is_stopped_when_a_test_fails(tmp_path, bugsink, new_vhost):
    with pytest.raises(AssertionError, match="a failing test"), capstone_stack(tmp_path, bugsink, new_vhost) as s:
        procs = s.processes()
        assert len(procs) == 3 and not any(_gone(p) for p in procs)
        raise AssertionError("a failing test")
    assert all(_gone(p) for p in procs)
    assert not _listening(s.smtp.port) and not _listening(s.app.port) and not _listening(s.redis.port)


@pytest.mark.slow
def test_every_process_is_stopped_when_the_app_fails_to_start(tmp_path, bugsink, new_vhost):
    started = []
    failing = capstone_stack(tmp_path, bugsink, new_vhost, app_target="capstone.no_such_module:app", started=started)
    with pytest.raises(RuntimeError, match="uvicorn capstone.no_such_module:app exited with code"), failing:
        pass  # pragma: no cover - never reached
    redis, _vhost, smtp, worker, app = started
    assert all(_gone(p) for p in (redis.proc, worker.proc, app.proc))
    assert not _listening(smtp.port) and not _listening(redis.port)


def test_a_short_smtp_outage_delays_the_welcome_email_instead_of_losing_it(client, stack, results):
    """Review finding #29: the task retries connection errors with backoff; the email arrives once SMTP is back."""
    before, retries_before = len(stack.smtp.messages), stack.worker.output().count(" retry: Retry in ")
    with stack.smtp.outage():
        user = signup(client, name="Lin")
        eventually(lambda: stack.worker.output().count(" retry: Retry in ") > retries_before, 60, interval=0.3,
                   what="a retry while the mail server is down")
    mail = eventually(lambda: next(m for m in stack.smtp.messages[before:] if m["To"] == user["email"]), 300,
                      interval=0.5, what="the welcome email after the outage")
    retries = stack.worker.output().count(" retry: Retry in ") - retries_before
    assert "ConnectionRefusedError" in stack.worker.output()
    results("capstone/smtp_outage.md", "\n".join([
        "| Mail server down while a user signs up | Measured |", "|---|---|",
        f"| retries the worker logged (`ConnectionRefusedError`) | {retries} |",
        f"| the welcome email arrived after the outage | {mail['Subject'] == 'Welcome, Lin!'} |",
    ]), vary=True)
