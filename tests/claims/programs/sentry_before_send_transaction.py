"""before_send sees error events only; a transaction passes only through before_send_transaction.

    python sentry_before_send_transaction.py before_send|both

A FastAPI route fails on a request with a secret in its query string, traced (traces_sample_rate=1.0).
`before_send` drops the query string (as privacy_app.py's recommended mode does); with `both`, the
same function is also `before_send_transaction`. A transport records what the SDK hands over to send.
Prints JSON: which event types the hooks saw, and the query string of each item sent.
"""

import json
import sys

import sentry_sdk
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sentry_sdk.transport import Transport

seen, sent = [], []


class Recording(Transport):
    def capture_envelope(self, envelope):
        for item in envelope.items:
            payload = item.get_transaction_event() or item.get_event()
            if payload is not None:
                sent.append(payload)


def drop_query_string(event, hint):
    seen.append(event.get("type", "error"))
    event.get("request", {}).pop("query_string", None)
    return event


options = {"before_send": drop_query_string}
if sys.argv[1] == "both":
    options["before_send_transaction"] = drop_query_string
sentry_sdk.init(dsn="http://key@127.0.0.1:9/1", traces_sample_rate=1.0, transport=Recording, **options)

app = FastAPI()


@app.get("/search")
def search(q: str):
    raise RuntimeError("search backend down")


TestClient(app, raise_server_exceptions=False).get("/search?q=shoes&token=qs-secret")
sentry_sdk.flush(timeout=5)
items = [{"type": p.get("type", "error"), "query_string": p.get("request", {}).get("query_string")} for p in sent]
print(json.dumps({"seen": seen, "sent": items}))
