"""Two workers, one slow: round-robin vs prefetch_count=1 (fair dispatch)."""

import os
import threading
import time
from collections import Counter

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
QUEUE = "guide.fair"
SECONDS_PER_TASK = {"slow": 0.5, "fast": 0.0}


def worker(name, prefetch, processed, stop):
    # pika connections are not thread-safe: one connection per thread.
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    if prefetch:
        channel.basic_qos(prefetch_count=prefetch)
    for method, _props, _body in channel.consume(
        QUEUE, inactivity_timeout=0.1
    ):
        if method is None:
            if stop.is_set():
                break
            continue
        time.sleep(SECONDS_PER_TASK[name])
        channel.basic_ack(method.delivery_tag)
        processed[name] += 1
    connection.close()


def run(prefetch, tasks=10):
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_delete(QUEUE)
    channel.queue_declare(QUEUE, durable=True)
    processed, stop = Counter(), threading.Event()
    threads = [
        threading.Thread(target=worker, args=(n, prefetch, processed, stop))
        for n in SECONDS_PER_TASK
    ]
    for thread in threads:
        thread.start()
    # Publish only once both workers are subscribed.
    while channel.queue_declare(QUEUE, passive=True).method.consumer_count < 2:
        time.sleep(0.05)
    for number in range(tasks):
        channel.basic_publish("", QUEUE, f"task {number}".encode())
    while sum(processed.values()) < tasks:
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    channel.queue_delete(QUEUE)
    connection.close()
    return {name: processed[name] for name in SECONDS_PER_TASK}


# No prefetch limit: the broker pushes tasks in turn, 5 each, and the slow
# worker's 5 wait in its buffer while the fast one idles.
print("no prefetch limit:", run(prefetch=0))
#> no prefetch limit: {'slow': 5, 'fast': 5}
# prefetch_count=1: a worker gets a new task only after acking the last.
print("prefetch_count=1: ", run(prefetch=1))
#> prefetch_count=1:  {'slow': 1, 'fast': 9}
