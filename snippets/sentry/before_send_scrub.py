"""The last word before sending: before_send and before_breadcrumb."""

import os
import re

import sentry_sdk
from privacy_example import connect

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

SENSITIVE = re.compile(
    r"pass|pwd|token|secret|auth|cookie|session", re.IGNORECASE
)


def scrub(value):
    """Replace the value of every key that looks sensitive, at any depth."""
    if isinstance(value, dict):
        return {
            key: "[scrubbed]" if SENSITIVE.search(str(key)) else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


def before_send(event, hint):
    return scrub(event)  # return None instead to drop the event


def before_breadcrumb(crumb, hint):
    if SENSITIVE.search(crumb.get("message") or ""):
        return None  # a log line that mentions a secret: drop it
    return crumb


sentry_sdk.init(
    dsn=SENTRY_DSN,
    before_send=before_send,
    before_breadcrumb=before_breadcrumb,
)

try:
    connect("db.internal", "hunter2", api_token="tok_live", db_passwd="s3cret")
except ConnectionError as exc:
    sentry_sdk.capture_exception(exc)

sentry_sdk.flush(timeout=5)
