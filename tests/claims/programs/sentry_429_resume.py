"""Against a server that answers 429 with Retry-After: 1 (DSN): two events, a pause, a third.

The SDK drops "second" without a request, and sends "third" once Retry-After has passed.
"""

import os
import time

import sentry_sdk

sentry_sdk.init(dsn=os.environ["DSN"])
for label in ["first", "second"]:
    sentry_sdk.capture_message(label)
    sentry_sdk.flush(timeout=2)
time.sleep(1.5)  # Retry-After: 1 has passed
sentry_sdk.capture_message("third")
sentry_sdk.flush(timeout=2)
