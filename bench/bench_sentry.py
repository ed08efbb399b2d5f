"""Sentry SDK overhead: per captured exception and per request of a FastAPI app, traces sampled 0 vs 1.0.

Events go to a Bugsink started for this run (tests/services/bugsink), and the script checks that
Bugsink stored every captured exception. Requests are driven straight into the ASGI app in this
process (no HTTP client, no server), so the difference between phases is the SDK's own work.
Bugsink drops transactions and answers with a rate limit for them, so the SDK stops sending them
after the first: the per-request figures are the cost in the request's own thread (starting,
finishing and serialising the transaction); `before_send_transaction` counts that they were built.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from common import Section, log, parse_args

import fastapi
import sentry_sdk
from fastapi import FastAPI
from services.bugsink import Bugsink
from services.procs import eventually

REQUESTS = "sentry-requests"
EXCEPTIONS = "sentry-exceptions"
BATCH = 50  # below the SDK's transport queue (100): nothing is dropped client-side


def make_app() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict:
        return {"id": item_id, "name": f"item {item_id}"}

    return app


def requests_per_second(app: FastAPI, n: int) -> float:
    """Seconds for n sequential GET /items/<i> through the app's full ASGI stack."""

    async def one(i: int) -> None:
        path = f"/items/{i}"
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"bench.local")], "client": ("127.0.0.1", 50000),
                 "server": ("bench.local", 80)}  # fmt: skip
        sent = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        await app(scope, receive, send)
        assert sent[0]["status"] == 200, sent[0]

    async def run() -> float:
        for i in range(50):  # warm up: routing, validation, the SDK's first transaction
            await one(i)
        started = time.perf_counter()
        for i in range(n):
            await one(i)
        return time.perf_counter() - started

    return asyncio.run(run())


def fail_deep(i: int) -> None:
    def parse(value: str) -> int:
        return int(value)

    def handle(order: dict) -> int:
        return parse(order["qty"])

    handle({"id": i, "qty": f"{i} pcs"})


def raise_and_catch(n: int, capture: bool) -> float:
    """Seconds spent in n rounds of: raise a ValueError three frames deep, catch it, maybe capture it."""
    spent = 0.0
    for i in range(n):
        started = time.perf_counter()
        try:
            fail_deep(i)
        except ValueError as exc:
            if capture:
                sentry_sdk.capture_exception(exc)
        spent += time.perf_counter() - started
    return spent


def main() -> None:
    args = parse_args(__doc__)
    n_req = 50 if args.tiny else 1000
    n_exc = 10 if args.tiny else 200
    s = Section("sentry", tiny=args.tiny)
    s.versions.update({"sentry-sdk": sentry_sdk.VERSION, "FastAPI": fastapi.__version__})
    built = {"transactions": 0}

    def count_transaction(event, _hint):
        built["transactions"] += 1
        return event

    with tempfile.TemporaryDirectory(prefix="bench-sentry-") as tmp, Bugsink(Path(tmp)) as bugsink:
        project = bugsink.new_project("bench")

        log("no SDK")
        s.time("sentry-request-nosdk", REQUESTS, "FastAPI request, no SDK",
               requests_per_second(make_app(), n_req) / n_req * 1e6, unit="µs", n=n_req)  # fmt: skip
        baseline = raise_and_catch(5000 if not args.tiny else 50, capture=False)
        s.time("sentry-exception-nosdk", EXCEPTIONS, "Raise and catch, no SDK",
               baseline / (5000 if not args.tiny else 50) * 1e6, unit="µs",
               n=5000 if not args.tiny else 50)  # fmt: skip

        for rate in (0.0, 1.0):
            sentry_sdk.init(dsn=project.dsn, traces_sample_rate=rate, before_send_transaction=count_transaction)
            built["transactions"] = 0
            log(f"traces_sample_rate={rate}")
            tag = "sample0" if rate == 0 else "sample1"
            s.time(f"sentry-request-{tag}", REQUESTS, f"FastAPI request, SDK on, traces_sample_rate={rate:g}",
                   requests_per_second(make_app(), n_req) / n_req * 1e6, unit="µs", n=n_req)  # fmt: skip
            sentry_sdk.flush(timeout=10)
            expected = 0 if rate == 0 else n_req + 50
            if built["transactions"] != expected:
                raise AssertionError(
                    f"traces_sample_rate={rate}: {built['transactions']} transactions, expected {expected}"
                )
            if rate == 0:
                raise_and_catch(10, capture=True)  # warm up
                sentry_sdk.flush(timeout=10)
                in_caller, started = 0.0, time.perf_counter()
                for done in range(0, n_exc, BATCH):
                    in_caller += raise_and_catch(min(BATCH, n_exc - done), capture=True)
                    sentry_sdk.flush(timeout=30)
                delivered = time.perf_counter() - started
                s.time("sentry-exception-capture", EXCEPTIONS,
                       "Raise, catch and capture_exception(): time in the caller",
                       in_caller / n_exc * 1e6, unit="µs", n=n_exc)  # fmt: skip
                s.time("sentry-exception-delivered", EXCEPTIONS, "The same, plus delivery to Bugsink (flush every 50)",
                       delivered / n_exc * 1e6, unit="µs", n=n_exc)  # fmt: skip

        sentry_sdk.get_client().close(timeout=5)

        def stored() -> int:
            return sum(issue["digested_event_count"] for issue in bugsink.issues(project))

        want = n_exc + 10
        eventually(lambda: stored() >= want, 30, interval=0.2, what=f"{want} events stored in Bugsink")
        s.notes.append(f"Bugsink stored all {stored()} captured exceptions (checked through its API).")

    s.compare("sentry-request-sample0", "sentry-request-nosdk", "{diff} ({x}) vs no SDK")
    s.compare("sentry-request-sample1", "sentry-request-nosdk", "{diff} ({x}) vs no SDK")
    s.compare("sentry-request-sample1", "sentry-request-sample0", "{x} sampled 0")
    s.compare("sentry-exception-capture", "sentry-exception-nosdk", "{x} raise and catch alone")
    s.compare("sentry-exception-delivered", "sentry-exception-capture", "{x} the caller's share")
    s.dump(args.out)


if __name__ == "__main__":
    main()
