"""docs/celery/integrations.md: what the status endpoints answer for a failed task, and which SMTP failures the
welcome email retries (review findings #17 and #18).

A real worker of snippets/celery/email_tasks.py and the FastAPI app of fastapi_signup.py, against a local SMTP
server that answers `550 5.1.1 User unknown` for one address (a permanent failure) or no server at all (transient).
"""

from __future__ import annotations

import re
import smtplib

import flask
import httpx
import pytest
from celery import Celery
from fastapi.encoders import jsonable_encoder
from services.asgi_app import UvicornApp
from services.celery_worker import CeleryWorker
from services.paths import SNIPPETS
from services.procs import eventually, free_port
from services.smtp import SmtpServer

pytestmark = pytest.mark.page("celery/integrations.md")

EMAIL_TASKS = SNIPPETS / "celery" / "email_tasks.py"
UNKNOWN = "nobody@example.com"
WAIT = 60


def test_permanent_smtp_failure_fails_once_and_the_endpoint_says_so(celery_env, celery_logdir, tmp_path, results):
    with SmtpServer() as smtp:
        smtp.refuse(UNKNOWN)
        env = celery_env("integrations.email", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
        with CeleryWorker.of(EMAIL_TASKS, env=env, logdir=celery_logdir), \
                UvicornApp("fastapi_signup:api", cwd=EMAIL_TASKS.parent, env=env, logdir=tmp_path) as app, \
                httpx.Client(base_url=app.url, timeout=10) as client:
            task_id = client.post("/signup", json={"email": UNKNOWN}).json()["task_id"]

            def finished() -> dict:
                status = client.get(f"/tasks/{task_id}").json()
                assert status["state"] in ("SUCCESS", "FAILURE"), status
                return status

            status = eventually(finished, WAIT, interval=0.3, what="the task to finish")
        attempts = smtp.attempts_for(UNKNOWN)
    assert status == {"state": "FAILURE", "error": "SMTPRecipientsRefused"}
    assert attempts == 1

    refused = smtplib.SMTPRecipientsRefused({UNKNOWN: (550, b"5.1.1 User unknown")})
    flask_app = flask.Flask("status")
    flask_app.get("/status")(lambda: {"state": "FAILURE", "result": refused})
    flask_status = flask_app.test_client().get("/status").status_code
    results("celery/email_failures.md", "\n".join([
        "| Measured | Outcome |", "|---|---|",
        f"| `550 5.1.1 User unknown`: delivery attempts with `autoretry_for=TRANSIENT` | {attempts} |",
        f"| ... and what `GET /tasks/<id>` answered | `{status}` |",
        f"| `issubclass(SMTPRecipientsRefused, OSError)`: what `autoretry_for=(OSError,)` would retry | "
        f"`{issubclass(smtplib.SMTPRecipientsRefused, OSError)}` |",
        f"| the old endpoint, `{{\"result\": result.result}}` for a FAILURE, in FastAPI | "
        f"`{jsonable_encoder({'state': 'FAILURE', 'result': refused})}` |",
        f"| ... for a `ValueError('card declined')`, in FastAPI | "
        f"`{jsonable_encoder({'state': 'FAILURE', 'result': ValueError('card declined')})}` |",
        f"| ... in Flask | HTTP {flask_status} |",
    ]))


def test_smtp_server_down_is_retried(celery_env, celery_logdir, results):
    env = celery_env("integrations.email-down", SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()))
    with CeleryWorker.of(EMAIL_TASKS, env=env, logdir=celery_logdir) as worker:
        caller = Celery("caller", broker=env["AMQP_URL"], backend=env["REDIS_URL"], set_as_current=False)
        try:
            caller.send_task("email_tasks.send_welcome_email", args=["ada@example.com"], queue="email_tasks")

            def retried() -> str:
                [line, *_] = [line for line in worker.output().splitlines() if " retry: Retry in " in line]
                return line.split("] ", 1)[1]  # without the timestamp

            line = eventually(retried, WAIT, interval=0.3, what="a retry in the worker's log")
        finally:
            caller.close()
    # the wait is random (retry_jitter): 0 or 1 s for the first retry
    results("celery/email_retry-log.txt", re.sub(r"\[[0-9a-f-]{36}\]", "[<task-id>]", line), vary=True)
