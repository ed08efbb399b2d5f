"""Publisher confirms and mandatory: know whether the broker took it."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare("guide.confirmed", durable=True)

# Without confirms, basic_publish returns before the broker has anything;
# a message routed nowhere is dropped silently.
channel.basic_publish("", "guide.no-such-queue", b"lost")
print("unconfirmed publish to nowhere: no error")
#> unconfirmed publish to nowhere: no error

# With confirms, each basic_publish blocks until the broker acks it
# (for a persistent message to a durable queue: once it is on disk).
channel.confirm_delivery()
channel.basic_publish(
    "",
    "guide.confirmed",
    b"order 1",
    properties=pika.BasicProperties(
        delivery_mode=pika.DeliveryMode.Persistent
    ),
)
print("confirmed: order 1")
#> confirmed: order 1

# Confirms alone still ack an unroutable message ("handled": dropped).
channel.basic_publish("", "guide.no-such-queue", b"dropped")
print("confirmed but routed nowhere: no error")
#> confirmed but routed nowhere: no error

# mandatory=True asks the broker to return it instead: pika raises.
try:
    channel.basic_publish("", "guide.no-such-queue", b"x", mandatory=True)
except pika.exceptions.UnroutableError as exc:
    returned = exc.messages[0].method
    print("returned:", returned.reply_code, returned.reply_text)
    #> returned: 312 NO_ROUTE

# Publishing to an exchange that does not exist closes the channel.
try:
    channel.basic_publish("guide.no-such-exchange", "key", b"x")
except pika.exceptions.ChannelClosedByBroker as exc:
    print("channel closed:", exc.reply_code, exc.reply_text.split(" - ")[0])
    #> channel closed: 404 NOT_FOUND

channel = connection.channel()  # a fresh channel after the error
queued = channel.queue_declare("guide.confirmed", passive=True).method
print("in guide.confirmed:", queued.message_count)
#> in guide.confirmed: 1
channel.queue_delete("guide.confirmed")
connection.close()
