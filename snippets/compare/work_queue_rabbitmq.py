"""Work queue on RabbitMQ: each message goes to one consumer; a message
whose consumer died before acking it is delivered again, flagged
redelivered."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
params = pika.URLParameters(AMQP_URL)

publisher = pika.BlockingConnection(params)
channel = publisher.channel()
channel.confirm_delivery()
channel.queue_delete("guide.jobs")
channel.queue_declare("guide.jobs", durable=True)
for n in (1, 2, 3):
    channel.basic_publish(
        "", "guide.jobs", f"resize image {n}".encode(), PERSISTENT
    )


def worker():
    """A consumer on its own connection: at most one unacked message."""
    connection = pika.BlockingConnection(params)
    ch = connection.channel()
    ch.basic_qos(prefetch_count=1)
    return connection, ch


def take(ch):
    """The next message (method, body), or (None, None) after 5 s."""
    for method, _props, body in ch.consume(
        "guide.jobs", inactivity_timeout=5
    ):
        return method, body
    return None, None


w1, ch1 = worker()
method, body = take(ch1)
print("worker-1 did:", body.decode())
#> worker-1 did: resize image 1
ch1.basic_ack(method.delivery_tag)

method, body = take(ch1)
print("worker-1 took:", body.decode(), "and crashed")
#> worker-1 took: resize image 2 and crashed
# no ack; its connection goes away, as in a crash or kill -9
w1.close()

w2, ch2 = worker()
for _ in range(2):
    method, body = take(ch2)
    print("worker-2 got:", body.decode(), method.redelivered)
    #> worker-2 got: resize image 2 True
    #> worker-2 got: resize image 3 False
    ch2.basic_ack(method.delivery_tag)
left = channel.queue_declare("guide.jobs", passive=True).method
print("left in the queue:", left.message_count)
#> left in the queue: 0
w2.close()

channel.queue_delete("guide.jobs")
publisher.close()
