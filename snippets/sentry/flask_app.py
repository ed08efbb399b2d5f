"""A Flask app whose unhandled errors reach Sentry.

Serve it from this folder:  flask --app flask_app run --port 8000
"""

import os

import sentry_sdk
from flask import Flask, abort

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

# init before creating the app; Flask is detected, no integration to list
sentry_sdk.init(dsn=SENTRY_DSN, environment="development")

app = Flask(__name__)

ORDERS = {1: {"total": 59.9, "items": 3}, 2: {"total": 0.0, "items": 0}}


@app.get("/orders/<int:order_id>")
def average_price(order_id: int) -> dict:
    if order_id not in ORDERS:
        abort(404, "no such order")
    order = ORDERS[order_id]
    return {"average": order["total"] / order["items"]}  # order 2: boom


@app.get("/payments")
def payments() -> dict:
    abort(503, "payment provider down")
