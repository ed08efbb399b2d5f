"""A consumer that survives a dropped connection, a closed channel and a
consumer the broker cancelled: connect (with backoff) and subscribe again."""

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
    params.heartbeat = 30  # frames every 15 s; pika gives up after 35-70 s
    params.blocked_connection_timeout = 60  # broker out of memory/disk
    params.client_properties = {"connection_name": NAME}  # shown in the UI
    return pika.BlockingConnection(params)


def consume_forever(handle, idle_stop=None):
    """Call handle(channel, method, body) for each message of QUEUE.

    Returns only after idle_stop idle seconds (a demo's way to end; a
    service passes None and runs until it is stopped).
    """
    failures = 0
    while True:
        try:
            with connect() as connection:
                channel = connection.channel()
                channel.queue_declare(QUEUE, durable=True)
                channel.basic_qos(prefetch_count=1)
                failures = 0  # connected again: reset the backoff
                for method, _props, body in channel.consume(
                    QUEUE, inactivity_timeout=idle_stop
                ):
                    if method is None:  # idle: the demo ends here
                        return
                    handle(channel, method, body)
                # consume() ended, yet we never cancelled: the broker did
                # (queue deleted; on RabbitMQ 4.3 a consumer timeout).
                events.append("consumer cancelled by the broker, subscribe")
        except pika.exceptions.ChannelClosedByBroker as exc:
            if exc.reply_code in (403, 404):  # a bug or a missing permission
                raise
            # e.g. 406 after consumer_timeout (RabbitMQ up to 4.2)
            reason = exc.reply_text.split(" - ")[0]
            events.append(f"channel closed ({exc.reply_code} {reason}), again")
        except pika.exceptions.AMQPConnectionError as exc:
            failures += 1
            delay = min(0.5 * 2**failures, 30)  # 1 s, 2 s, 4 s ... max 30 s
            events.append(f"lost connection ({type(exc).__name__}), retry")
            time.sleep(delay)


def close_our_connection():
    """What an operator's "Force close" in the UI (or a restart) does."""
    with httpx.Client(base_url=API_URL, timeout=5) as api:
        for _ in range(150):  # the connection list is sampled: poll
            for conn in api.get("/api/connections").json():
                if conn.get("client_properties", {}).get(
                    "connection_name"
                ) == NAME:
                    api.delete(f"/api/connections/{conn['name']}")
                    return
            time.sleep(0.2)


def recreate_queue(then_publish):
    """Another program deletes the queue and declares it again."""
    with pika.BlockingConnection(pika.URLParameters(AMQP_URL)) as other:
        channel = other.channel()
        channel.queue_delete(QUEUE)
        channel.queue_declare(QUEUE, durable=True)
        channel.confirm_delivery()
        channel.basic_publish("", QUEUE, then_publish)


def handle(channel, method, body):
    events.append(f"processed {body.decode()}")
    channel.basic_ack(method.delivery_tag)
    if body == b"a":
        close_our_connection()
    elif body == b"b":
        recreate_queue(then_publish=b"c")


if __name__ == "__main__":
    with connect() as setup:
        channel = setup.channel()
        channel.queue_declare(QUEUE, durable=True)
        channel.confirm_delivery()
        for body in [b"a", b"b"]:
            channel.basic_publish("", QUEUE, body)

    consume_forever(handle, idle_stop=2)
    with connect() as cleanup:
        cleanup.channel().queue_delete(QUEUE)
    for event in events:
        print(event)
        #> processed a
        #> lost connection (ConnectionClosedByBroker), retry
        #> processed b
        #> consumer cancelled by the broker, subscribe
        #> processed c
