"""Stream: an append-only log; every consumer reads it from an offset."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare(
    "guide.type.stream",
    durable=True,  # required
    arguments={
        "x-queue-type": "stream",
        "x-max-length-bytes": 100_000_000,  # retention: keep ~100 MB
    },
)
channel.confirm_delivery()
for number in range(5):
    channel.basic_publish("", "guide.type.stream", f"event {number}".encode())


def read_from(offset):
    """A fresh consumer reading from `offset`: "first", "last", or a number."""
    reader = connection.channel()
    reader.basic_qos(prefetch_count=100)  # streams require a prefetch
    read = []
    for method, _props, body in reader.consume(
        "guide.type.stream",
        inactivity_timeout=1,
        arguments={"x-stream-offset": offset},
    ):
        if method is None:
            break
        read.append(body.decode()[-1])
        reader.basic_ack(method.delivery_tag)  # required, removes nothing
    reader.close()
    return read


print("reader A from first:", read_from("first"))
#> reader A from first: ['0', '1', '2', '3', '4']
print("reader B from first:", read_from("first"))  # the same, again
#> reader B from first: ['0', '1', '2', '3', '4']
print("reader C from 3:    ", read_from(3))
#> reader C from 3:     ['3', '4']
channel.queue_delete("guide.type.stream")
connection.close()
