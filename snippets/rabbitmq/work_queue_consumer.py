"""A worker: one task at a time, ack after the work, stop when idle."""

import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare("guide.tasks", durable=True)
# Never hold more than one unacknowledged task: the next one goes to
# whichever worker is free, not to this busy one.
channel.basic_qos(prefetch_count=1)

done = 0
for method, _properties, body in channel.consume(
    "guide.tasks", inactivity_timeout=2
):
    if method is None:  # 2 s without a task: this demo worker stops
        break
    time.sleep(0.1)  # the "work"
    # Ack only after the work: if this process dies before this line, the
    # broker hands the task to another worker.
    channel.basic_ack(delivery_tag=method.delivery_tag)
    done += 1
    print("done:", body.decode())
    #> done: resize image 1
    #> done: resize image 2
    #> done: resize image 3
    #> done: resize image 4
    #> done: resize image 5
    #> done: resize image 6

print(f"idle for 2 s: stopping after {done} tasks")
#> idle for 2 s: stopping after 6 tasks
channel.cancel()
connection.close()
