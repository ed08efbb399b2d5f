"""Send one message to Sentry; make sure it has left before we exit."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(
    dsn=SENTRY_DSN, environment="tutorial", release="guide@1.0.0"
)

event_id = sentry_sdk.capture_message("Nightly report finished", level="info")
print("event id:", len(event_id), "hex characters")
#> event id: 32 hex characters

# a background thread sends events: wait (at most 5 s) until it is done
sentry_sdk.flush(timeout=5)
