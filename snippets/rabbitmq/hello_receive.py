"""Receive messages from "hello" until the queue stays empty for 2 s."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare(queue="hello", durable=True)

received = 0
# consume() yields (method, properties, body); with inactivity_timeout it
# yields (None, None, None) after that many idle seconds: our exit.
for method, _properties, body in channel.consume(
    "hello", inactivity_timeout=2
):
    if method is None:
        break
    print("Received", body.decode())
    #> Received Hello World!
    channel.basic_ack(method.delivery_tag)
    received += 1

print(f"idle for 2 s, stopping after {received} message(s)")
#> idle for 2 s, stopping after 1 message(s)
channel.cancel()  # stop the consumer on the broker side
connection.close()
