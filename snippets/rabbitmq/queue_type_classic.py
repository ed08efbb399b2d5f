"""Classic queue: one copy on one node; once acked, a message is gone."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare(
    "guide.type.classic",
    durable=True,
    arguments={"x-queue-type": "classic"},  # the default in 3.x
)
channel.confirm_delivery()
for number in range(3):
    channel.basic_publish("", "guide.type.classic", f"event {number}".encode())

read = []
for method, _props, body in channel.consume(
    "guide.type.classic", inactivity_timeout=1
):
    if method is None:
        break
    read.append(body.decode())
    channel.basic_ack(method.delivery_tag)
channel.cancel()
print("read:", read)
#> read: ['event 0', 'event 1', 'event 2']
left = channel.queue_declare("guide.type.classic", passive=True).method
print("left after acking:", left.message_count)
#> left after acking: 0
channel.queue_delete("guide.type.classic")
connection.close()
