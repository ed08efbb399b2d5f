"""A connected but slow pub/sub subscriber loses messages too: Redis disconnects it.

A subscriber that stops reading lets its output buffer on the server grow; past
`client-output-buffer-limit pubsub` (default `32mb 8mb 60`, here `256kb 128kb 5` so the test sends
20 MB instead of 40) the server closes the connection and logs why. What redis-py does next depends
on how the client was built: `redis.Redis(host=, port=)` has a retry policy, reconnects and
subscribes again without raising (the gap shows only as a second `subscribe` message);
`Redis.from_url()` raises `ConnectionError`. Table on the Data types page:
snippets/redis/results/pubsub_slow_subscriber.md (counts vary with socket buffer sizes).
"""

from __future__ import annotations

import traceback

import pytest

pytestmark = pytest.mark.page("redis/data-types.md")
import redis

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


def test_a_slow_subscriber_is_disconnected(private_redis, results):
    server = private_redis()
    server.client().config_set("client-output-buffer-limit", LIMIT)
    built = {
        "`redis.Redis(host=..., port=...)`": redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=5),
        "`redis.Redis.from_url(url)`": redis.Redis.from_url(server.url, socket_timeout=5),
    }
    measured = {label: slow_subscriber(server, client) for label, client in built.items()}
    by_args, by_url = measured.values()

    assert server.log.read_text().count(CLOSED) == 2  # the server cut both off
    for r in measured.values():
        assert r["reached"] < MESSAGES and r["read"] < MESSAGES  # PUBLISH answered 0 once it was gone
    assert by_args["error"] is None and by_args["resubscribed"] == 1  # silently back, the gap lost
    assert by_url["error"] == "redis.exceptions.ConnectionError: Connection closed by server."

    def what(r: dict) -> str:
        if r["error"]:
            return f"raised `{r['error'].removeprefix('redis.exceptions.')}`"
        return "no error: reconnected and subscribed again (a second `subscribe` message)"

    results(
        "redis/pubsub_slow_subscriber.md",
        "| Subscriber built with | `PUBLISH` reached it | messages it read | what redis-py did |\n|---|---|---|---|\n"
        + "\n".join(
            f"| {label} | {r['reached']:,} of {MESSAGES:,} | {r['read']:,} | {what(r)} |" for label, r in measured.items()
        ),
        vary=True,
    )
