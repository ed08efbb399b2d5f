"""basic_nack(requeue=False) moves a bad message to a dead-letter exchange."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()

# Where rejected messages go: an exchange and a queue like any other.
channel.exchange_declare("guide.dlx", exchange_type="fanout", durable=True)
channel.queue_declare("guide.orders.dead", durable=True)
channel.queue_bind("guide.orders.dead", "guide.dlx")

# The work queue names its dead-letter exchange in its arguments.
channel.queue_declare(
    "guide.orders",
    durable=True,
    arguments={"x-dead-letter-exchange": "guide.dlx"},
)
for body in [b'{"order": 1}', b"not json", b'{"order": 2}']:
    channel.basic_publish("", "guide.orders", body)

for method, _props, body in channel.consume(
    "guide.orders", inactivity_timeout=1
):
    if method is None:
        break
    if body.startswith(b"{"):
        channel.basic_ack(method.delivery_tag)
    else:  # cannot ever succeed: do not requeue it, dead-letter it
        channel.basic_nack(method.delivery_tag, requeue=False)
channel.cancel()

# Dead-lettering happens in the background: wait for it, up to 5 s.
method, properties, body = next(
    channel.consume("guide.orders.dead", auto_ack=True, inactivity_timeout=5)
)
channel.cancel()
death = properties.headers["x-death"][0]
print("dead-lettered:", body)
#> dead-lettered: b'not json'
print("reason:", death["reason"], "| from queue:", death["queue"])
#> reason: rejected | from queue: guide.orders
print("times:", int(death["count"]))
#> times: 1

channel.queue_delete("guide.orders")
channel.queue_delete("guide.orders.dead")
channel.exchange_delete("guide.dlx")
connection.close()
