"""A consumer that survives a dropped connection: reconnect with backoff."""

import os
import time

import httpx
import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
API_URL = os.environ.get("RABBITMQ_API_URL", "http://guest:guest@localhost:15672")
QUEUE, NAME = "guide.resilient", "guide-resilient-consumer"
events = []  # what happened, printed at the end


def connect():
    params = pika.URLParameters(AMQP_URL)
    params.heartbeat = 30  # a silent dead peer is noticed in ~60 s
    params.blocked_connection_timeout = 60  # broker out of memory/disk
    params.client_properties = {"connection_name": NAME}  # shown in the UI
    return pika.BlockingConnection(params)


def simulate_outage():
    """Close our connection from the broker side, as an operator can."""
    with httpx.Client(base_url=API_URL, timeout=5) as api:
        for _ in range(150):  # the connection list is sampled: poll
            for conn in api.get("/api/connections").json():
                if conn.get("client_properties", {}).get(
                    "connection_name"
                ) == NAME:
                    api.delete(f"/api/connections/{conn['name']}")
                    return
            time.sleep(0.2)


def handle(channel, method, body):
    events.append(f"processed {body.decode()}")
    channel.basic_ack(method.delivery_tag)
    if body == b"a":
        simulate_outage()


with connect() as setup:
    channel = setup.channel()
    channel.queue_declare(QUEUE, durable=True)
    channel.confirm_delivery()
    for body in [b"a", b"b", b"c"]:
        channel.basic_publish("", QUEUE, body)

failures = 0
while True:
    try:
        connection = connect()
        channel = connection.channel()
        channel.basic_qos(prefetch_count=1)
        failures = 0  # connected again: reset the backoff
        for method, _props, body in channel.consume(
            QUEUE, inactivity_timeout=2
        ):
            if method is None:  # demo only: stop when idle
                break
            handle(channel, method, body)
        channel.queue_delete(QUEUE)
        connection.close()
        break
    # Connection-level errors only; a channel error is a bug to fix.
    except pika.exceptions.AMQPConnectionError as exc:
        failures += 1
        delay = min(0.5 * 2**failures, 30)  # 1 s, 2 s, 4 s ... max 30 s
        events.append(f"lost connection ({type(exc).__name__}), retry")
        time.sleep(delay)

for event in events:
    print(event)
    #> processed a
    #> lost connection (ConnectionClosedByBroker), retry
    #> processed b
    #> processed c
