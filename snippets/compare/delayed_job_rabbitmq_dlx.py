"""Delayed jobs with RabbitMQ: a message waits in a queue nobody consumes
until its TTL runs out; the queue's dead-letter exchange then routes it
to the work queue. Messages expire only at the head of the queue."""

import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.confirm_delivery()
for queue in ("guide.delayed.wait", "guide.delayed.work"):
    channel.queue_delete(queue)  # start clean

channel.queue_declare("guide.delayed.work", durable=True)
# expired messages go to the default exchange ("") with the routing key
# "guide.delayed.work": into the work queue
channel.queue_declare(
    "guide.delayed.wait",
    durable=True,
    arguments={
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "guide.delayed.work",
    },
)


def schedule(task: str, delay: float) -> None:
    channel.basic_publish(
        "",
        "guide.delayed.wait",
        task.encode(),
        # per-message TTL in milliseconds, as a string
        pika.BasicProperties(expiration=str(int(delay * 1000))),
    )


started = time.monotonic()
schedule("send reminder", delay=1.0)
schedule("expire trial", delay=0.5)

ran = []
for method, props, body in channel.consume(
    "guide.delayed.work", inactivity_timeout=5
):
    if method is None:
        break
    channel.basic_ack(method.delivery_tag)
    reason = props.headers["x-death"][0]["reason"]
    ran.append((body.decode(), time.monotonic() - started, reason))
    if len(ran) == 2:
        break
channel.cancel()

print([task for task, _, _ in ran])
#> ['send reminder', 'expire trial']
print("why:", {reason for _, _, reason in ran})
#> why: {'expired'}
# "expire trial" (0.5 s) waited behind "send reminder" (1 s)
print("expire trial waited >= 1 s:", ran[1][1] >= 1.0)
#> expire trial waited >= 1 s: True

for queue in ("guide.delayed.wait", "guide.delayed.work"):
    channel.queue_delete(queue)
connection.close()
