"""A transaction with child spans, checked where it leaves the SDK."""

import os
import time
from datetime import datetime

import sentry_sdk
from recording_transport import RecordingTransport

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

sentry_sdk.init(
    dsn=SENTRY_DSN, traces_sample_rate=1.0, transport=RecordingTransport
)

with sentry_sdk.start_transaction(op="task", name="nightly-report"):
    with sentry_sdk.start_span(op="db.query", name="load orders"):
        time.sleep(0.05)
    with sentry_sdk.start_span(op="http.client", name="POST /render"):
        try:
            raise ConnectionError("renderer unavailable")
        except ConnectionError as exc:
            sentry_sdk.capture_exception(exc)

sentry_sdk.flush(timeout=5)


def seconds(span: dict) -> float:
    start = datetime.fromisoformat(span["start_timestamp"])
    return (datetime.fromisoformat(span["timestamp"]) - start).total_seconds()


sent = RecordingTransport.items
[tx] = [payload for kind, payload in sent if kind == "transaction"]
[error] = [payload for kind, payload in sent if kind == "event"]
root = tx["contexts"]["trace"]
print(tx["transaction"], root["op"], len(tx["spans"]), "spans")
#> nightly-report task 2 spans
for span in tx["spans"]:
    child = span["parent_span_id"] == root["span_id"]
    print(span["op"], repr(span["description"]), "child of root:", child)
    #> db.query 'load orders' child of root: True
    #> http.client 'POST /render' child of root: True
print("load orders took >= 50 ms:", seconds(tx["spans"][0]) >= 0.05)
#> load orders took >= 50 ms: True
same_trace = error["contexts"]["trace"]["trace_id"] == root["trace_id"]
print("error event in the same trace:", same_trace)
#> error event in the same trace: True
