"""The Celery app bench_celery.py measures: an empty task, and two that only count their runs in Redis.

The worker (`celery -A celery_bench_app worker`, started by bench_celery.py) builds the app from
BENCH_BROKER_URL / BENCH_BACKEND_URL / BENCH_COUNTER_URL; the benchmark process calls create_app()
with the same URLs to send tasks.
"""

from __future__ import annotations

import os

import redis
from celery import Celery


def create_app(broker: str, backend: str, counter_url: str) -> Celery:
    app = Celery("bench", broker=broker, backend=backend)
    app.conf.update(broker_connection_retry_on_startup=True, result_expires=600)
    counter = redis.Redis.from_url(counter_url)

    @app.task(name="bench.noop", shared=False)
    def noop():
        """Does nothing; its result (None) goes to the result backend: used for round-trip latency."""

    @app.task(name="bench.count", ignore_result=True, shared=False)
    def count():
        """One INCR on a separate Redis, so the benchmark sees when all tasks ran; no result stored."""
        counter.incr("bench:done")

    @app.task(name="bench.count_stored", shared=False)
    def count_stored():
        """The same, and its result (None) is stored in the result backend."""
        counter.incr("bench:done")

    return app


# The worker's app. No defaults: the benchmark never talks to the shared services (6379, vhost "/").
# shared=False above keeps each create_app() call's tasks in its own app.
if "BENCH_BROKER_URL" in os.environ:
    app = create_app(os.environ["BENCH_BROKER_URL"], os.environ["BENCH_BACKEND_URL"], os.environ["BENCH_COUNTER_URL"])
