"""Capture COUNT messages with sample_rate=RATE to DSN; print how many capture_message() returned an id for.

    DSN=... python sentry_sample_rate.py RATE COUNT
"""

import os
import sys

import sentry_sdk

rate, count = float(sys.argv[1]), int(sys.argv[2])
sentry_sdk.init(dsn=os.environ["DSN"], sample_rate=rate)
ids = [sentry_sdk.capture_message(f"job {n} failed") for n in range(count)]
sentry_sdk.flush(timeout=10)
print(sum(i is not None for i in ids))
