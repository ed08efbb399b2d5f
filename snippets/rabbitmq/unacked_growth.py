"""Forgotten basic_ack: messages stay 'unacked' until the consumer leaves."""

import os
import time
from urllib.parse import quote

import httpx
import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
API_URL = os.environ.get("RABBITMQ_API_URL", "http://guest:guest@localhost:15672")
QUEUE = "guide.forgetful"

params = pika.URLParameters(AMQP_URL)
api = httpx.Client(base_url=API_URL, timeout=5)
path = f"/api/queues/{quote(params.virtual_host, safe='')}/{QUEUE}"


def wait_for(ready, unacked, pump=None):
    """Poll the (sampled) API statistics until they show these numbers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if pump:
            pump.process_data_events(time_limit=0.2)
        else:
            time.sleep(0.2)
        stats = api.get(path).raise_for_status().json()
        now = stats.get("messages_ready"), stats.get("messages_unacknowledged")
        if now == (ready, unacked):
            break
    return f"ready {now[0]}, unacked {now[1]}"


admin = pika.BlockingConnection(params)
channel = admin.channel()
channel.queue_declare(QUEUE, durable=True)
channel.confirm_delivery()
for number in range(10):
    channel.basic_publish("", QUEUE, f"job {number}".encode())


def forgetful(ch, method, properties, body):
    pass  # did the work ... and never called ch.basic_ack()


consumer = pika.BlockingConnection(params)
consumer.channel().basic_consume(QUEUE, forgetful)  # manual ack mode
print("consumer running:", wait_for(0, 10, pump=consumer))
#> consumer running: ready 0, unacked 10
consumer.close()  # only now does the broker take them back
print("consumer gone:   ", wait_for(10, 0))
#> consumer gone:    ready 10, unacked 0

channel.queue_delete(QUEUE)
admin.close()
api.close()
