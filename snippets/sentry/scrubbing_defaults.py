"""What the SDK's default scrubber hides, and what it lets through."""

import os

import sentry_sdk
from privacy_example import connect

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN)  # defaults: no PII, default denylist

try:
    connect("db.internal", "hunter2", api_token="tok_live", db_passwd="s3cret")
except ConnectionError as exc:
    sentry_sdk.capture_exception(exc)

sentry_sdk.flush(timeout=5)
