"""Breadcrumbs: the trail of what happened before an error."""

import logging
import os

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(
    dsn=SENTRY_DSN,
    # the defaults, spelled out: INFO and up become breadcrumbs,
    # ERROR and up become events
    integrations=[
        LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)
    ],
)

log = logging.getLogger("checkout")
log.setLevel(logging.INFO)  # records below a logger's level never exist

log.info("cart loaded with %d items", 3)
sentry_sdk.add_breadcrumb(
    category="payment", message="card authorised", data={"amount": 59.9}
)
log.warning("stock low for %s", "SKU-7")
log.debug("not recorded: below the logger's level")
log.error("could not reserve stock for %s", "SKU-7")  # an event

sentry_sdk.flush(timeout=5)
