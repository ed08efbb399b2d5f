"""Every event carries its release and environment: filter issues by them."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

# three deployments of the same app (each process calls init() once;
# this script plays all three in turn)
for release, environment in [
    ("shop@1.4.2", "staging"),
    ("shop@1.4.2", "production"),
    ("shop@1.5.0", "production"),
]:
    sentry_sdk.init(dsn=SENTRY_DSN, release=release, environment=environment)
    try:
        {"EUR": 1.0}["CHF"]
    except KeyError as exc:
        sentry_sdk.capture_exception(exc)
    sentry_sdk.flush(timeout=5)
