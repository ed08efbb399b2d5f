"""Capture each line of stdin as a message, flush, and say "done": a test decides when, and stops the server between.

    python sentry_capture_lines.py DSN
"""

import sys

import sentry_sdk

sentry_sdk.init(dsn=sys.argv[1])
for line in sys.stdin:
    sentry_sdk.capture_message(line.strip())
    sentry_sdk.flush(timeout=2)
    print("done", flush=True)
