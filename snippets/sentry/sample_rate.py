"""sample_rate: the SDK sends only a share of error events."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN, sample_rate=0.2)  # default: 1.0, send all

# capture_* returns None for an event the sampling dropped
sent = [sentry_sdk.capture_message(f"job {n} failed") for n in range(100)]
kept = sum(event_id is not None for event_id in sent)
print("kept some, but fewer than half:", 0 < kept < 50)
#> kept some, but fewer than half: True

sentry_sdk.flush(timeout=10)
