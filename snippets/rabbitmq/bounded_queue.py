"""Bound a queue with x-max-length: drop the oldest, or refuse new ones."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.confirm_delivery()

# Default overflow "drop-head": the queue keeps the newest 5.
channel.queue_declare(
    "guide.bounded.drop-head", durable=True, arguments={"x-max-length": 5}
)
for number in range(10):
    channel.basic_publish("", "guide.bounded.drop-head", str(number).encode())
kept = []
while (got := channel.basic_get("guide.bounded.drop-head", True))[0]:
    kept.append(got[2].decode())
print("drop-head kept:", kept)
#> drop-head kept: ['5', '6', '7', '8', '9']

# "reject-publish": the broker nacks what does not fit; pika raises.
channel.queue_declare(
    "guide.bounded.reject",
    durable=True,
    arguments={"x-max-length": 5, "x-overflow": "reject-publish"},
)
accepted, refused = [], []
for number in range(10):
    try:
        channel.basic_publish("", "guide.bounded.reject", str(number).encode())
        accepted.append(number)
    except pika.exceptions.NackError:
        refused.append(number)  # tell the caller, retry later, alert ...
print("reject-publish accepted:", accepted, "refused:", refused)
#> reject-publish accepted: [0, 1, 2, 3, 4] refused: [5, 6, 7, 8, 9]

channel.queue_delete("guide.bounded.drop-head")
channel.queue_delete("guide.bounded.reject")
connection.close()
