"""Decide what counts as 'the same problem': custom fingerprints."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN)


def report(exc: BaseException, fingerprint: list[str]) -> None:
    with sentry_sdk.new_scope() as scope:  # the fingerprint: this event only
        scope.fingerprint = fingerprint
        sentry_sdk.capture_exception(exc)


# two different errors, one cause: force them into ONE issue
try:
    raise TimeoutError("payments API timed out")
except TimeoutError as exc:
    report(exc, ["payments-api-down"])
try:
    raise ConnectionRefusedError("payments API refused the connection")
except ConnectionRefusedError as exc:
    report(exc, ["payments-api-down"])

# one error, many tenants: split it into one issue PER TENANT
for tenant in ["acme", "globex"]:
    try:
        {"EUR": 1.0}["CHF"]
    except KeyError as exc:
        report(exc, ["{{ default }}", tenant])  # default grouping + tenant

sentry_sdk.flush(timeout=5)
