"""Context for one unit of work only: an isolation scope per job."""

import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN)


def import_invoice(number: str) -> None:
    # everything set inside stays with this job's events, then is gone
    with sentry_sdk.isolation_scope() as scope:
        scope.set_tag("invoice", number)
        sentry_sdk.add_breadcrumb(category="import", message=f"read {number}")
        try:
            raise ValueError(f"invoice {number} has no total")
        except ValueError as exc:
            sentry_sdk.capture_exception(exc)


for number in ["INV-1", "INV-2"]:
    import_invoice(number)

sentry_sdk.capture_message("invoice import finished")  # no invoice tag
sentry_sdk.flush(timeout=5)
