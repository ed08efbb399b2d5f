"""What to watch per queue: backlog, unacked, consumers (one API call)."""

import os
import time
from urllib.parse import quote

import httpx
import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
API_URL = os.environ.get("RABBITMQ_API_URL", "http://guest:guest@localhost:15672")
MAX_READY = 10  # alert thresholds: tune them to your traffic
WATCHED = ["guide.emails", "guide.thumbnails"]  # the queues this check owns

# A scene to look at: one queue nobody consumes, one with a worker.
params = pika.URLParameters(AMQP_URL)
connection = pika.BlockingConnection(params)
channel = connection.channel()
channel.confirm_delivery()
for queue in WATCHED:
    channel.queue_declare(queue, durable=True)
for number in range(25):
    channel.basic_publish("", "guide.emails", f"mail {number}".encode())
channel.basic_consume("guide.thumbnails", lambda ch, m, p, b: None)


def alerts(queue):
    found = []
    if queue["consumers"] == 0 and queue["messages_ready"] > 0:
        found.append("no consumer")
    if queue["messages_ready"] > MAX_READY:
        found.append("backlog")
    return ", ".join(found) or "ok"


api = httpx.Client(base_url=API_URL, timeout=5)
columns = "name,messages_ready,messages_unacknowledged,consumers"
path = f"/api/queues/{quote(params.virtual_host, safe='')}?columns={columns}"
deadline = time.monotonic() + 30
while True:  # statistics are sampled: wait until both queues show up-to-date
    connection.process_data_events(time_limit=0.2)
    every = api.get(path).raise_for_status().json()  # the vhost's queues
    queues = [q for q in every if q["name"] in WATCHED]
    # keys appear once the first statistics for a queue are in
    seen = {q["name"]: (q.get("messages_ready"), q.get("consumers"))
            for q in queues}
    wanted = {"guide.emails": (25, 0), "guide.thumbnails": (0, 1)}
    if seen == wanted or time.monotonic() > deadline:
        break

for q in sorted(queues, key=lambda q: q["name"]):
    print(
        f"{q['name']:<16} ready {q['messages_ready']:>2}"
        f" unacked {q['messages_unacknowledged']}"
    #> guide.emails     ready 25 unacked 0 consumers 0: no consumer, backlog
    #> guide.thumbnails ready  0 unacked 0 consumers 1: ok
        f" consumers {q['consumers']}: {alerts(q)}"
    )

for queue in WATCHED:
    channel.queue_delete(queue)
connection.close()
api.close()
