"""Per-queue message TTL: expired messages are dropped or dead-lettered."""

import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare("guide.expired", durable=True)
channel.queue_declare(
    "guide.quotes",
    durable=True,
    arguments={
        "x-message-ttl": 500,  # ms; a price quote is stale after 0.5 s
        # expired messages go via the default exchange to guide.expired
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "guide.expired",
    },
)
channel.confirm_delivery()  # publish returns once the message is queued
channel.basic_publish("", "guide.quotes", b"EUR/USD 1.0842")
count = channel.queue_declare("guide.quotes", passive=True).method
print("right away:", count.message_count, "in guide.quotes")
#> right away: 1 in guide.quotes

time.sleep(1)
count = channel.queue_declare("guide.quotes", passive=True).method
print("after 1 s: ", count.message_count, "in guide.quotes")
#> after 1 s:  0 in guide.quotes
# Dead-lettering happens in the background: wait for it, up to 5 s.
method, properties, body = next(
    channel.consume("guide.expired", auto_ack=True, inactivity_timeout=5)
)
death = properties.headers["x-death"][0]
print("expired:", body, "| reason:", death["reason"])
#> expired: b'EUR/USD 1.0842' | reason: expired

channel.queue_delete("guide.quotes")
channel.queue_delete("guide.expired")
connection.close()
