"""max_breadcrumbs: only the most recent breadcrumbs travel with an event."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN, max_breadcrumbs=5)  # default: 100

for batch in range(1, 11):
    sentry_sdk.add_breadcrumb(category="import", message=f"batch {batch}")
sentry_sdk.capture_message("import stopped after batch 10")

sentry_sdk.flush(timeout=5)
