"""Send one message to the queue "hello" (run hello_receive.py to get it)."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()

# Declaring is idempotent: both sides declare, whoever starts first wins.
channel.queue_declare(queue="hello", durable=True)

# The default exchange "" routes to the queue named by the routing key.
channel.basic_publish(exchange="", routing_key="hello", body=b"Hello World!")
print("Sent 'Hello World!'")
#> Sent 'Hello World!'

connection.close()  # flushes what is still buffered, then disconnects
