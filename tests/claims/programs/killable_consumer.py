"""A consumer process that prints each delivery, then "works" until a test kills it with SIGKILL.

    python killable_consumer.py URL QUEUE manual|auto

Used by tests/claims/test_rabbitmq_redelivery.py.
"""

import sys
import time

import pika

url, queue, auto_ack = sys.argv[1], sys.argv[2], sys.argv[3] == "auto"
channel = pika.BlockingConnection(pika.URLParameters(url)).channel()
if not auto_ack:
    channel.basic_qos(prefetch_count=1)
for method, _properties, body in channel.consume(queue, auto_ack=auto_ack):
    print("received", body.decode(), method.redelivered, flush=True)
    time.sleep(60)  # "working" until killed
