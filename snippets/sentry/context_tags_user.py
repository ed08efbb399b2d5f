"""Attach who, where and what to events: tags, user and contexts."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN, release="shop@1.4.2")

# tags: short strings the server indexes, so you can search and filter
sentry_sdk.set_tag("tenant", "acme")
sentry_sdk.set_tag("payment.provider", "stripe")
# the user: counted as "users affected" on the issue
sentry_sdk.set_user({"id": "u-1042", "email": "ada@example.com"})
# contexts: structured data shown on the event, not indexed
sentry_sdk.set_context("order", {"id": 7731, "items": 3, "total": 59.9})

try:
    raise TimeoutError("payment provider did not answer within 10 s")
except TimeoutError as exc:
    sentry_sdk.capture_exception(exc)

sentry_sdk.flush(timeout=5)
