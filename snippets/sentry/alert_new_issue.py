"""The server alerts when an issue is NEW, not on every event."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN, environment="production")

for night in ["mon", "tue", "wed"]:  # the same failure, three nights
    sentry_sdk.set_tag("night", night)
    try:
        raise OSError("nightly export failed: disk full")
    except OSError as exc:
        sentry_sdk.capture_exception(exc)

sentry_sdk.flush(timeout=5)
