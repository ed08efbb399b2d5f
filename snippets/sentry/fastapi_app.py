"""A FastAPI app whose unhandled errors (and 5xx answers) reach Sentry.

Serve it from this folder:  uvicorn fastapi_app:app --port 8000
"""

import os

import sentry_sdk
from fastapi import FastAPI, HTTPException

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

# init before creating the app; FastAPI is detected, no integration to list
sentry_sdk.init(dsn=SENTRY_DSN, environment="development")

app = FastAPI()

ORDERS = {1: {"total": 59.9, "items": 3}, 2: {"total": 0.0, "items": 0}}


@app.get("/orders/{order_id}")
def average_price(order_id: int) -> dict:
    if order_id not in ORDERS:
        raise HTTPException(status_code=404, detail="no such order")
    order = ORDERS[order_id]
    return {"average": order["total"] / order["items"]}  # order 2: boom


@app.get("/payments")
def payments() -> dict:
    raise HTTPException(status_code=503, detail="payment provider down")
