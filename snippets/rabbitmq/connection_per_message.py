"""The cost of opening a connection per message, measured in one run."""

import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
QUEUE, COUNT = "guide.per-message", 50
params = pika.URLParameters(AMQP_URL)

with pika.BlockingConnection(params) as connection:
    connection.channel().queue_declare(QUEUE, durable=True)

# Anti-pattern: connect (TCP + AMQP handshake + channel) for every message.
started = time.perf_counter()
for number in range(COUNT):
    with pika.BlockingConnection(params) as connection:
        connection.channel().basic_publish("", QUEUE, str(number).encode())
per_message = time.perf_counter() - started

# One long-lived connection and channel, opened once at startup. Its rounds
# take milliseconds, so one pause of a busy CPU can swamp one: keep the
# fastest of 3 rounds.
with pika.BlockingConnection(params) as connection:
    channel = connection.channel()
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for number in range(COUNT):
            channel.basic_publish("", QUEUE, str(number).encode())
        rounds.append(time.perf_counter() - started)
    reused = min(rounds)

with pika.BlockingConnection(params) as connection:
    channel = connection.channel()
    channel.confirm_delivery()  # waits until everything before is routed
    channel.basic_publish("", QUEUE, b"last")
    arrived = channel.queue_declare(QUEUE, passive=True).method.message_count
    channel.queue_delete(QUEUE)

print("all messages arrived:", arrived == 4 * COUNT + 1)
#> all messages arrived: True
ratio = per_message / reused
print("one connection per message is more than 10x slower:", ratio > 10)
#> one connection per message is more than 10x slower: True
