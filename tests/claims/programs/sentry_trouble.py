"""One scenario of docs/sentry/troubleshooting.md, in a fresh interpreter: python sentry_trouble.py SCENARIO

The SDK's own output (debug log, warnings, the atexit message) goes to stderr as a reader sees it;
stdout has what the scenario measured. DSN comes from the environment where a server is needed.
Used by tests/claims/test_sentry_troubleshooting.py.
"""

import os
import socket
import sys
import warnings

import sentry_sdk

SCENARIO = sys.argv[1]
DSN = os.environ.get("DSN", "")


def hanging_dsn() -> tuple[str, socket.socket]:
    """A server that accepts connections and never answers (the kernel's backlog does the accepting)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(200)
    return f"http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@127.0.0.1:{server.getsockname()[1]}/1", server


if SCENARIO == "no-dsn":  # SENTRY_DSN unset (or empty): the SDK is off
    sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"), debug=True)
    print("dsn:", repr(sentry_sdk.get_client().dsn), "| transport:", sentry_sdk.get_client().transport)
    print("capture_message() returned:", sentry_sdk.capture_message("hello"))

elif SCENARIO == "send":  # one error event to DSN, with the debug log on
    sentry_sdk.init(dsn=DSN, debug=True)
    print(sentry_sdk.capture_message("hello") is not None)
    sentry_sdk.flush(timeout=10)

elif SCENARIO == "before-send-none":
    sentry_sdk.init(dsn=DSN, debug=True, before_send=lambda event, hint: None)
    print("capture_message() returned:", sentry_sdk.capture_message("hello"))

elif SCENARIO == "sample-rate":
    sentry_sdk.init(dsn=DSN, debug=True, sample_rate=0.0)
    print("capture_message() returned:", sentry_sdk.capture_message("hello"))

elif SCENARIO in ("no-traces-sample-rate", "traces-sample-rate-0", "transactions"):
    rate = {"no-traces-sample-rate": None, "traces-sample-rate-0": 0.0, "transactions": 1.0}[SCENARIO]
    sentry_sdk.init(dsn=DSN, debug=True, traces_sample_rate=rate)
    for name in ("GET /orders", "GET /orders"):  # the second after the server's answer to the first
        with sentry_sdk.start_transaction(op="http.server", name=name) as tx:
            pass
        sentry_sdk.flush(timeout=10)
    print("sampled:", tx.sampled)

elif SCENARIO == "session-without-release":  # SENTRY_RELEASE unset and not in a git checkout
    sentry_sdk.init(dsn=DSN, debug=True)
    print("release:", sentry_sdk.get_client().options["release"])
    scope = sentry_sdk.get_isolation_scope()
    scope.start_session()
    scope.end_session()
    sentry_sdk.flush(timeout=10)

elif SCENARIO == "flush-timeout":  # a server that never answers; flush gives up
    dsn, server = hanging_dsn()
    sentry_sdk.init(dsn=dsn, debug=True)
    sentry_sdk.capture_message("hello")
    sentry_sdk.flush(timeout=1)
    os._exit(0)  # no atexit: that is the next scenario

elif SCENARIO == "pending-at-exit":  # the same server; a normal exit runs the atexit hook
    dsn, server = hanging_dsn()
    sentry_sdk.init(dsn=dsn)
    sentry_sdk.capture_message("hello")

elif SCENARIO == "warnings":  # what init() warns for three options, as Python shows warnings
    warnings.simplefilter("always")
    for options in ({"send_default_pii": True}, {"profiles_sample_rate": 1.0},
                    {"data_collection": {}, "event_scrubber": sentry_sdk.scrubber.EventScrubber()}):  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            sentry_sdk.init(dsn="", **options)
        for w in caught:
            print(f"{w.category.__name__}: {w.message}")

else:
    raise SystemExit(f"unknown scenario {SCENARIO}")
