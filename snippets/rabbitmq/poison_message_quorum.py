"""A quorum queue's delivery limit sends a poison message to the DLX."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare("guide.poison.dead", durable=True)
channel.queue_declare(
    "guide.poison.quorum",
    durable=True,  # quorum queues are always durable
    arguments={
        "x-queue-type": "quorum",
        "x-delivery-limit": 3,  # failed deliveries allowed before the DLX
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "guide.poison.dead",
    },
)
channel.basic_publish("", "guide.poison.quorum", b"corrupt pdf")
channel.basic_qos(prefetch_count=1)

for method, properties, _body in channel.consume(
    "guide.poison.quorum", inactivity_timeout=2
):
    if method is None:  # the broker stopped handing it out
        break
    count = (properties.headers or {}).get("x-delivery-count", 0)
    print("delivery, x-delivery-count =", int(count))
    #> delivery, x-delivery-count = 0
    #> delivery, x-delivery-count = 1
    #> delivery, x-delivery-count = 2
    #> delivery, x-delivery-count = 3
    # the handler "crashes" and hands the message back
    channel.basic_reject(method.delivery_tag, requeue=True)
channel.cancel()

method, properties, body = next(
    channel.consume("guide.poison.dead", auto_ack=True, inactivity_timeout=5)
)
channel.cancel()
death = properties.headers["x-death"][0]
print("dead-lettered:", body, "| reason:", death["reason"])
#> dead-lettered: b'corrupt pdf' | reason: delivery_limit

channel.queue_delete("guide.poison.quorum")
channel.queue_delete("guide.poison.dead")
connection.close()
