"""Publish one persistent message to a durable queue, consume it, acknowledge it."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.confirm_delivery()  # basic_publish now waits until the broker has the message

# durable=True: the queue itself survives a broker restart
channel.queue_declare(queue="guide.hello", durable=True)

channel.basic_publish(
    exchange="",  # the default exchange routes to the queue named by routing_key
    routing_key="guide.hello",
    body=b"Hello, RabbitMQ!",
    # Persistent: the message is written to disk, so it survives a restart too
    properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent),
)

# consume one message; give up after 5 s of silence instead of waiting forever
for method, properties, body in channel.consume("guide.hello", inactivity_timeout=5):
    if method is None:
        print("no message within 5 s")
        break
    print(body.decode())
    #> Hello, RabbitMQ!
    print("persistent:", properties.delivery_mode == pika.DeliveryMode.Persistent.value)
    #> persistent: True
    channel.basic_ack(method.delivery_tag)  # done: the broker may forget it now
    break

channel.cancel()
connection.close()
