"""A program that crashes right after init(): the SDK's excepthook reports it."""

import os

import sentry_sdk

sentry_sdk.init(os.environ["SENTRY_DSN"])
raise RuntimeError("crash at start-up")
