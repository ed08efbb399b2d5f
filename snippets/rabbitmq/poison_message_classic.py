"""A message that always fails, in a classic queue: an endless requeue loop."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare("guide.poison.classic", durable=True)
channel.basic_publish("", "guide.poison.classic", b"corrupt pdf")
channel.basic_qos(prefetch_count=1)

deliveries = 0
for method, properties, _body in channel.consume(
    "guide.poison.classic", inactivity_timeout=2
):
    if method is None:
        break
    deliveries += 1
    if deliveries == 50:  # give up watching; the broker never would
        headers = properties.headers
        break
    # The handler "crashes" and hands the message back
    channel.basic_reject(method.delivery_tag, requeue=True)
channel.cancel()

print("deliveries so far:", deliveries)
#> deliveries so far: 50
# All a classic queue tells the consumer: "seen before", not how often.
print("redelivered:", method.redelivered, "| headers:", headers)
#> redelivered: True | headers: None
channel.queue_delete("guide.poison.classic")
connection.close()
