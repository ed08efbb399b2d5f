"""Set the SDK up once at start; report a caught exception and a message."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(
    dsn=SENTRY_DSN,
    environment=os.environ.get("APP_ENV", "development"),
    release="shop@1.4.2",
    traces_sample_rate=0.2,  # also trace 20 % of transactions
)


def parse_price(text: str) -> float:
    return float(text)


try:
    parse_price("12,50")
except ValueError as exc:
    event_id = sentry_sdk.capture_exception(exc)
    print("reported", type(exc).__name__, "as event", len(event_id), "hex")
    #> reported ValueError as event 32 hex

sentry_sdk.capture_message(
    "Price import finished with 1 error", level="warning"
)

# events leave from a background thread: let it finish before exiting
sentry_sdk.flush(timeout=5)
