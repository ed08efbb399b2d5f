"""One TCP connection carries many channels; a channel error kills one."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

# One TCP connection (+ AMQP handshake) per process is the norm ...
connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
# ... and one channel per thread or per kind of work inside it.
publisher = connection.channel()
consumer = connection.channel()
print("channel numbers:", publisher.channel_number, consumer.channel_number)
#> channel numbers: 1 2

# Exchange, queue and binding are broker objects: any channel sees them.
publisher.exchange_declare("guide.concepts", exchange_type="direct")
consumer.queue_declare("guide.concepts.greetings", durable=True)
consumer.queue_bind(
    "guide.concepts.greetings", "guide.concepts", routing_key="greeting"
)
publisher.confirm_delivery()  # publish returns once the broker routed it
publisher.basic_publish("guide.concepts", "greeting", b"hi")
publisher.basic_publish("guide.concepts", "farewell", b"bye")  # no binding

method, properties, body = consumer.basic_get(
    "guide.concepts.greetings", auto_ack=True
)
print("got:", body, "| still queued:", method.message_count)
#> got: b'hi' | still queued: 0

# A channel-level error (here: 404 on a queue that does not exist)
# closes that channel only; the connection and other channels live on.
broken = connection.channel()
try:
    broken.queue_declare("guide.concepts.no-such-queue", passive=True)
except pika.exceptions.ChannelClosedByBroker as exc:
    reason = exc.reply_text.split(" - ")[0]
    print("broken channel closed:", exc.reply_code, reason)
    #> broken channel closed: 404 NOT_FOUND
print("open:", broken.is_open, publisher.is_open, connection.is_open)
#> open: False True True

publisher.queue_delete("guide.concepts.greetings")
publisher.exchange_delete("guide.concepts")
connection.close()
