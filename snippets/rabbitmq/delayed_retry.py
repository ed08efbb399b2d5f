"""Retry later: a TTL wait queue + dead-lettering; park after 3 attempts."""

import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
MAX_ATTEMPTS, DELAY_MS = 3, 1000
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.confirm_delivery()  # the parked copy is on disk before we ack
# guide.jobs --reject--> guide.jobs.wait --(TTL)--> guide.jobs again
channel.queue_declare(
    "guide.jobs",
    durable=True,
    arguments={
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "guide.jobs.wait",
    },
)
channel.queue_declare(
    "guide.jobs.wait",  # nobody consumes it: messages only wait here
    durable=True,
    arguments={
        "x-message-ttl": DELAY_MS,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "guide.jobs",
    },
)
channel.queue_declare("guide.jobs.parked", durable=True)  # for humans


def attempt_number(properties):
    """1 + how often guide.jobs rejected it, from the x-death header."""
    for death in (properties.headers or {}).get("x-death", []):
        if death["queue"] == "guide.jobs" and death["reason"] == "rejected":
            return int(death["count"]) + 1
    return 1


def handle(body, attempt):
    if body == b"flaky" and attempt < 3:
        raise ConnectionError("payment API timed out")
    if body == b"poison":
        raise ValueError("cannot parse")


for body in [b"flaky", b"poison"]:
    channel.basic_publish("", "guide.jobs", body, PERSISTENT)

first_seen, log = {}, []
for method, properties, body in channel.consume(
    "guide.jobs", inactivity_timeout=2 * DELAY_MS / 1000
):
    if method is None:
        break
    attempt = attempt_number(properties)
    first_seen.setdefault(body, time.monotonic())
    try:
        handle(body, attempt)
        outcome = "done"
        channel.basic_ack(method.delivery_tag)
    except (ConnectionError, ValueError) as exc:
        if attempt < MAX_ATTEMPTS:
            outcome = f"failed ({exc}), retry later"
            channel.basic_nack(method.delivery_tag, requeue=False)
        else:
            outcome = "failed again: parked"
            # the same properties: persistent, with its x-death history
            channel.basic_publish("", "guide.jobs.parked", body, properties)
            channel.basic_ack(method.delivery_tag)
    elapsed = time.monotonic() - first_seen[body]
    log.append((body, attempt, elapsed))
    print(f"{body.decode()} attempt {attempt}: {outcome}")
    #> flaky attempt 1: failed (payment API timed out), retry later
    #> poison attempt 1: failed (cannot parse), retry later
    #> flaky attempt 2: failed (payment API timed out), retry later
    #> poison attempt 2: failed (cannot parse), retry later
    #> flaky attempt 3: done
    #> poison attempt 3: failed again: parked
channel.cancel()

# Each retry waited at least DELAY_MS (without blocking the consumer):
waits = [e >= (a - 1) * DELAY_MS / 1000 for _, a, e in log]
print("each retry waited >= 1 s per attempt:", all(waits))
#> each retry waited >= 1 s per attempt: True
_, props, body = channel.basic_get("guide.jobs.parked", auto_ack=True)
persistent = props.delivery_mode == pika.DeliveryMode.Persistent.value
tries = attempt_number(props)  # the x-death history came along
print(f"parked: {body.decode()}, persistent: {persistent}, tries: {tries}")
#> parked: poison, persistent: True, tries: 3
for queue in ["guide.jobs", "guide.jobs.wait", "guide.jobs.parked"]:
    channel.queue_delete(queue)
connection.close()
