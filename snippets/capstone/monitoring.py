"""Sentry for both processes: the web app and the Celery worker.

sentry-sdk turns on its FastAPI, Starlette and Celery integrations by
itself when those packages are installed; listing them here makes that
visible and is where their options would go.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.fastapi import FastApiIntegration
from sentry_sdk.integrations.starlette import StarletteIntegration

from .config import SENTRY_DSN


def init_sentry() -> None:
    # no send_default_pii / data_collection: task arguments stay [Filtered].
    # If you add data_collection, add "queues": False, or every failing
    # task's args and kwargs are sent in clear
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[
            StarletteIntegration(),
            FastApiIntegration(),
            CeleryIntegration(),
        ],
    )
