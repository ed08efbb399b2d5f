"""traces_sampler: decide per transaction whether to trace it."""

import os

import sentry_sdk
from recording_transport import RecordingTransport

SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)


def traces_sampler(sampling_context: dict) -> float:
    if sampling_context["parent_sampled"] is not None:
        # a trace continued from upstream: keep its decision, first,
        # or the trace breaks
        return float(sampling_context["parent_sampled"])
    name = sampling_context["transaction_context"]["name"]
    if name == "GET /health":
        return 0.0  # never: noise
    if name.startswith("POST /checkout"):
        return 1.0  # always: the money path
    return 0.1  # everything else: 1 in 10


sentry_sdk.init(
    dsn=SENTRY_DSN, traces_sampler=traces_sampler, transport=RecordingTransport
)

for name in ["GET /health", "POST /checkout", "GET /health", "POST /checkout"]:
    with sentry_sdk.start_transaction(op="http.server", name=name) as tx:
        print(name, "sampled:", tx.sampled)
        #> GET /health sampled: False
        #> POST /checkout sampled: True
        #> GET /health sampled: False
        #> POST /checkout sampled: True

# a checkout called by a service that did not sample this trace:
# its sentry-trace header ends in -0 ("not sampled")
trace_id, span_id = "771a43a4192642f0b136d5159a501700", "b1f0e4d3c2a1b0c9"
upstream = {"sentry-trace": f"{trace_id}-{span_id}-0"}
tx = sentry_sdk.continue_trace(
    upstream, op="http.server", name="POST /checkout"
)
with sentry_sdk.start_transaction(tx):
    print("continued POST /checkout sampled:", tx.sampled)
    #> continued POST /checkout sampled: False

sentry_sdk.flush(timeout=5)
sent = [p["transaction"] for kind, p in RecordingTransport.items
        if kind == "transaction"]
print("handed to the transport:", sent)
#> handed to the transport: ['POST /checkout', 'POST /checkout']
