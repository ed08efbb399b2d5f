"""A login endpoint that fails: which parts of the request reach Sentry?

Serve it from this folder:  uvicorn privacy_app:app --port 8000
Compare the modes the page's table shows:  PRIVACY=pii uvicorn ...
"""

import os

import sentry_sdk
from fastapi import FastAPI, Request
from sentry_sdk.integrations.logging import ignore_logger
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)


def drop_query_string(event, hint):
    event.get("request", {}).pop("query_string", None)
    return event


MODES = {
    # the SDK as it comes
    "sdk-defaults": {},
    # this guide's advice: scrub nested dicts and the ASGI scope's
    # "client" (an address), drop query strings
    "recommended": {
        "event_scrubber": EventScrubber(
            denylist=[*DEFAULT_DENYLIST, "client"], recursive=True
        ),
        "before_send": drop_query_string,
    },
    # the old switch for personal data (warns as deprecated in sdk 2.75)
    "pii": {"send_default_pii": True},
    # its replacement; note: it turns the EventScrubber off
    "data_collection": {"data_collection": {"user_info": True}},
}
PRIVACY = os.environ.get("PRIVACY", "recommended")
if PRIVACY == "recommended":
    # access-log lines become breadcrumbs: client address, query string
    ignore_logger("uvicorn.access")
sentry_sdk.init(dsn=SENTRY_DSN, **MODES[PRIVACY])

app = FastAPI()


def check_password(username: str, password: str) -> bool:
    raise RuntimeError(f"auth backend unreachable for {username}")


@app.post("/login")
async def login(request: Request) -> dict:
    body = await request.json()
    check_password(body["username"], body["password"])
    return {"ok": True}
