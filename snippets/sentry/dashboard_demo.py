"""One bug hitting three users: the event the dashboard screenshots show."""

import logging
import os

import sentry_sdk

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(dsn=SENTRY_DSN, release="shop@1.4.2", environment="production")
log = logging.getLogger("checkout")
log.setLevel(logging.INFO)


def apply_coupon(total: float, coupon: dict) -> float:
    return round(total * (1 - coupon["percent"] / 100), 2)


for user_id, email in [
    ("u-1042", "ada@example.com"),
    ("u-2001", "grace@example.com"),
    ("u-3107", "linus@example.com"),
]:
    with sentry_sdk.isolation_scope() as scope:  # one checkout request
        scope.set_user({"id": user_id, "email": email})
        scope.set_tag("page", "checkout")
        log.info("cart total is %.2f", 59.9)
        sentry_sdk.add_breadcrumb(category="coupon", message="SPRING entered")
        try:
            apply_coupon(59.9, {"code": "SPRING", "percent_off": 10})
        except KeyError as exc:
            sentry_sdk.capture_exception(exc)

sentry_sdk.flush(timeout=5)
