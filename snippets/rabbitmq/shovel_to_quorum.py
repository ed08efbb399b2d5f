"""Move a classic queue's messages into a new quorum queue with a shovel."""

import os
import time
from urllib.parse import quote

import httpx
import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
API_URL = os.environ.get("RABBITMQ_API_URL", "http://guest:guest@localhost:15672")
OLD, NEW = "guide.invoices", "guide.invoices.quorum"

params = pika.URLParameters(AMQP_URL)
connection = pika.BlockingConnection(params)
channel = connection.channel()
channel.queue_declare(OLD, durable=True)  # an existing classic queue ...
channel.confirm_delivery()
for number in range(5):
    channel.basic_publish("", OLD, f"invoice {number}".encode())

# A queue's type cannot change: redeclaring it as quorum is refused.
try:
    connection.channel().queue_declare(
        OLD, durable=True, arguments={"x-queue-type": "quorum"}
    )
except pika.exceptions.ChannelClosedByBroker as exc:
    print(exc.reply_code, exc.reply_text.split(" for queue")[0])
    #> 406 PRECONDITION_FAILED - inequivalent arg 'x-queue-type'

channel.queue_declare(NEW, durable=True, arguments={"x-queue-type": "quorum"})

# A dynamic shovel (plugin rabbitmq_shovel) consumes from one queue and
# republishes to another; "queue-length" moves what is there, then stops.
vhost = quote(params.virtual_host, safe="")
api = httpx.Client(base_url=API_URL, timeout=10)
shovel = {
    "src-uri": f"amqp:///{vhost}",  # no host: this node, this vhost
    "src-queue": OLD,
    "src-delete-after": "queue-length",
    "dest-uri": f"amqp:///{vhost}",
    "dest-queue": NEW,
}
api.put(
    f"/api/parameters/shovel/{vhost}/move-invoices", json={"value": shovel}
).raise_for_status()

deadline = time.monotonic() + 30
while time.monotonic() < deadline:  # wait until the shovel is done
    moved = channel.queue_declare(NEW, passive=True).method.message_count
    if moved == 5 and not api.get(f"/api/shovels/{vhost}").json():
        break
    time.sleep(0.2)

left = channel.queue_declare(OLD, passive=True).method.message_count
print(f"{OLD}: {left}, {NEW}: {moved}")
#> guide.invoices: 0, guide.invoices.quorum: 5
print("shovel removed itself:", api.get(f"/api/shovels/{vhost}").json() == [])
#> shovel removed itself: True

channel.queue_delete(OLD)
channel.queue_delete(NEW)
connection.close()
api.close()
