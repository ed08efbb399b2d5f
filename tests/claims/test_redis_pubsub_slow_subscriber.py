"""A connected but slow pub/sub subscriber loses messages too: Redis disconnects it.

A subscriber that stops reading lets its output buffer on the server grow; past
`client-output-buffer-limit pubsub` (default `32mb 8mb 60`, here `256kb 128kb 5` so the test sends
20 MB instead of 40) the server closes the connection and logs why. What redis-py does next depends
on how the client was built: `redis.Redis(host=, port=)` has a retry policy, reconnects and
subscribes again without raising (the gap shows only as a second `subscribe` message);
`Redis.from_url()` raises `ConnectionError`. On every Redis build (Redis 8.0, Valkey 8.1, Redis 7.0), side
by side. Table on the Data types page, a tab per build: snippets/redis/results/pubsub_slow_subscriber.md
(counts vary with socket buffer sizes, and by a message or so from run to run).
"""

from __future__ import annotations

import traceback

import pytest
import redis
from services.each_build import on_each_build
from services.results import by_build

pytestmark = pytest.mark.page("redis/data-types.md")

MESSAGES, SIZE = 2_000, 10_000  # 20 MB for a subscriber that reads nothing meanwhile
LIMIT = "pubsub 256kb 128kb 5"
CLOSED = "scheduled to be closed ASAP for overcoming of output buffer limits."


def slow_subscriber(server, client: redis.Redis) -> dict:
    admin = server.client()
    sub = client.pubsub()
    sub.subscribe("news")
    assert sub.get_message(timeout=5)["type"] == "subscribe"
    reached = [admin.publish("news", b"x" * SIZE) for _ in range(MESSAGES)]  # the subscriber reads nothing meanwhile
    seen = {"message": 0, "subscribe": 0}
    error = None
    try:
        while (message := sub.get_message(timeout=1)) is not None:
            seen[message["type"]] += 1
    except redis.exceptions.ConnectionError as exc:
        error = traceback.format_exception_only(exc)[-1].strip()
    finally:
        sub.close()
    return {"reached": sum(reached), "read": seen["message"], "resubscribed": seen["subscribe"], "error": error}


def slow_subscriber_table(server) -> str:
    server.client().config_set("client-output-buffer-limit", LIMIT)
    built = {
        "`redis.Redis(host=..., port=...)`": redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=5),
        "`redis.Redis.from_url(url)`": redis.Redis.from_url(server.url, socket_timeout=5),
    }
    measured = {label: slow_subscriber(server, client) for label, client in built.items()}
    by_args, by_url = measured.values()

    assert server.log.read_text().count(CLOSED) == 2, server.build  # the server cut both off
    for r in measured.values():
        assert r["reached"] < MESSAGES and r["read"] < MESSAGES, (server.build, r)  # PUBLISH: 0 once it was gone
    assert by_args["error"] is None and by_args["resubscribed"] == 1, server.build  # silently back, the gap lost
    assert by_url["error"] == "redis.exceptions.ConnectionError: Connection closed by server.", server.build

    def what(r: dict) -> str:
        if r["error"]:
            return f"raised `{r['error'].removeprefix('redis.exceptions.')}`"
        return "no error: reconnected and subscribed again (a second `subscribe` message)"

    return (
        "| Subscriber built with | `PUBLISH` reached it | messages it read | what redis-py did |\n|---|---|---|---|\n"
        + "\n".join(
            f"| {label} | {r['reached']:,} of {MESSAGES:,} | {r['read']:,} | {what(r)} |"
            for label, r in measured.items()
        )
    )


def test_a_slow_subscriber_is_disconnected(private_redis, results):
    tables = on_each_build(lambda build: slow_subscriber_table(private_redis(build=build, name=build.name)))
    # the counts come out alike on every build, but not always the same (428 on two, 427 on one, in one run)
    results("redis/pubsub_slow_subscriber.md", by_build(tables, vary=True), vary=True)
