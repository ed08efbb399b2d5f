"""Read a queue's depth, unacked count and consumers from the HTTP API."""

import os
import time
from urllib.parse import quote

import httpx
import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
API_URL = os.environ.get("RABBITMQ_API_URL", "http://guest:guest@localhost:15672")
QUEUE = "guide.reports"

params = pika.URLParameters(AMQP_URL)
connection = pika.BlockingConnection(params)
channel = connection.channel()
channel.queue_declare(QUEUE, durable=True)
channel.confirm_delivery()
for number in range(5):
    channel.basic_publish("", QUEUE, f"report {number}".encode())

# A worker busy with 2 messages: delivered, not acknowledged yet.
worker = connection.channel()
worker.basic_qos(prefetch_count=2)
worker.basic_consume(QUEUE, on_message_callback=lambda *args: None)

api = httpx.Client(base_url=API_URL, timeout=5)  # user:password in the URL
path = f"/api/queues/{quote(params.virtual_host, safe='')}/{QUEUE}"

# The API reports sampled statistics (every 5 s by default): poll until
# they reflect what we just did, for at most 30 s.
expected = {"messages": 5, "messages_unacknowledged": 2, "consumers": 1}
deadline = time.monotonic() + 30
while True:
    connection.process_data_events(time_limit=0.2)  # keep the worker alive
    stats = api.get(path).raise_for_status().json()
    current = {key: stats.get(key) for key in expected}
    if current == expected or time.monotonic() > deadline:
        break

print("ready (waiting):  ", stats["messages_ready"])
#> ready (waiting):   3
print("unacked (working):", stats["messages_unacknowledged"])
#> unacked (working): 2
print("total:            ", stats["messages"])
#> total:             5
print("consumers:        ", stats["consumers"])
#> consumers:         1
print("durable:", stats["durable"], "| type:", stats["type"])
#> durable: True | type: classic

channel.queue_delete(QUEUE)
connection.close()
api.close()
