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
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[
            StarletteIntegration(),
            FastApiIntegration(),
            CeleryIntegration(),
        ],
    )
