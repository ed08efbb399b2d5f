"""Slow work in threads, acks on the connection's thread (thread-safe)."""

import functools
import os
import threading
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
QUEUE = "guide.thumbnails.threaded"

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare(QUEUE, durable=True)
for number in range(3):
    channel.basic_publish("", QUEUE, f"image {number}".encode())
channel.basic_qos(prefetch_count=3)
acked, threads = [], []


def ack(delivery_tag):
    """Runs on the connection's thread, called from process_data_events."""
    channel.basic_ack(delivery_tag)
    acked.append(delivery_tag)


def work(delivery_tag, body):
    """Runs in a worker thread: never touch channel or connection here..."""
    time.sleep(1)  # a slow task; heartbeats keep flowing meanwhile
    # ... except this one method, made for handing work back:
    connection.add_callback_threadsafe(functools.partial(ack, delivery_tag))


def on_message(_channel, method, _properties, body):
    thread = threading.Thread(target=work, args=(method.delivery_tag, body))
    thread.start()
    threads.append(thread)


started = time.monotonic()
consumer_tag = channel.basic_consume(QUEUE, on_message)
while len(acked) < 3:
    connection.process_data_events(time_limit=0.1)  # I/O + callbacks
elapsed = time.monotonic() - started

print("acked:", len(acked))
#> acked: 3
print("3 tasks of 1 s ran in parallel (< 2.5 s):", elapsed < 2.5)
#> 3 tasks of 1 s ran in parallel (< 2.5 s): True
channel.basic_cancel(consumer_tag)
for thread in threads:
    thread.join()
channel.queue_delete(QUEUE)
connection.close()
