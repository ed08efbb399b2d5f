"""Publish a persistent message to a durable queue, consume it, ack it."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
PERSISTENT = pika.DeliveryMode.Persistent

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.confirm_delivery()  # basic_publish now waits for the broker's "got it"

# durable=True: the queue itself survives a broker restart
channel.queue_declare(queue="guide.hello", durable=True)

channel.basic_publish(
    exchange="",  # the default exchange: routing_key names the queue
    routing_key="guide.hello",
    body=b"Hello, RabbitMQ!",
    # persistent: the broker writes the message to disk
    properties=pika.BasicProperties(delivery_mode=PERSISTENT),
)

# take one message; give up after 5 s of silence instead of waiting forever
for method, properties, body in channel.consume(
    "guide.hello", inactivity_timeout=5
):
    if method is None:
        print("no message within 5 s")
        break
    print(body.decode())
    #> Hello, RabbitMQ!
    print("persistent:", properties.delivery_mode == PERSISTENT.value)
    #> persistent: True
    channel.basic_ack(method.delivery_tag)  # done: the broker can forget it
    break

channel.cancel()
connection.close()
