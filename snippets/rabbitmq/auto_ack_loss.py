"""A consumer dies after one of five messages: auto_ack vs manual ack."""

import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
QUEUE = "guide.ack-demo"

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
admin = connection.channel()


def consumer_dies_after_one(auto_ack):
    admin.queue_purge(QUEUE)
    for number in range(5):
        admin.basic_publish("", QUEUE, f"order {number}".encode())
    worker = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = worker.channel()
    for method, _props, _body in channel.consume(QUEUE, auto_ack=auto_ack):
        time.sleep(0.5)  # working on the first message ...
        if not auto_ack:
            channel.basic_ack(method.delivery_tag)
        break
    worker.close()  # ... then the process dies (same as a crash or kill -9)
    time.sleep(0.5)  # let the broker finish requeueing
    return admin.queue_declare(QUEUE, passive=True).method.message_count


admin.queue_declare(QUEUE, durable=True)
# auto_ack=True: the broker forgets each message as soon as it sends it.
# All 5 were pushed to the worker at once; 4 were in its memory only.
print("auto_ack=True, still queued:", consumer_dies_after_one(True))
#> auto_ack=True, still queued: 0
# Manual ack: the 4 unacknowledged messages go back to the queue.
print("manual ack,    still queued:", consumer_dies_after_one(False))
#> manual ack,    still queued: 4
admin.queue_delete(QUEUE)
connection.close()
