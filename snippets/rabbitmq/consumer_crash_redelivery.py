"""A consumer dies before its ack: the message comes back, redelivered=True."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
QUEUE = "guide.payments"

setup = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
admin = setup.channel()
admin.queue_delete(QUEUE)
admin.queue_declare(QUEUE, durable=True)
admin.basic_publish("", QUEUE, b"charge order 42")


def take_one():
    """Connect, receive one message, return (connection, channel, method)."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=1)
    method, _props, body = next(channel.consume(QUEUE, inactivity_timeout=5))
    print(body.decode(), "| redelivered:", method.redelivered)
    #> charge order 42 | redelivered: False
    #> charge order 42 | redelivered: True
    return connection, channel, method


# First worker: takes the message and dies before acking it. Closing the
# connection is what the broker sees when a process crashes.
worker, _, _ = take_one()
#> charge order 42 | redelivered: False
worker.close()

# Second worker: the same message again, flagged as a redelivery. The
# first attempt may have half-happened: make the handler idempotent.
worker, channel, method = take_one()
#> charge order 42 | redelivered: True
channel.basic_ack(method.delivery_tag)
worker.close()

left = admin.queue_declare(QUEUE, passive=True).method
print("left in queue after the ack:", left.message_count)
#> left in queue after the ack: 0
admin.queue_delete(QUEUE)
setup.close()
