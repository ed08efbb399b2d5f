"""capture_message() just before a normal exit, without flush(): the SDK's atexit hook sends it."""

import os

import sentry_sdk

sentry_sdk.init(os.environ["SENTRY_DSN"])
sentry_sdk.capture_message("bye")
