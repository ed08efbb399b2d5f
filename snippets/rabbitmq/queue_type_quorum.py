"""Quorum queue: replicated (Raft), always durable, counts redeliveries."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare(
    "guide.type.quorum",
    durable=True,  # required
    arguments={"x-queue-type": "quorum"},  # up to 3 replicas in a cluster
)
channel.confirm_delivery()  # confirmed = written by a majority of replicas
for number in range(3):
    channel.basic_publish("", "guide.type.quorum", f"event {number}".encode())

channel.basic_qos(prefetch_count=1)
returned_once, read = False, []
for method, properties, body in channel.consume(
    "guide.type.quorum", inactivity_timeout=1
):
    if method is None:
        break
    if not returned_once:  # hand the first delivery back once
        returned_once = True
        channel.basic_reject(method.delivery_tag, requeue=True)
        continue
    count = int((properties.headers or {}).get("x-delivery-count", 0))
    read.append(f"{body.decode()} (x-delivery-count {count})")
    channel.basic_ack(method.delivery_tag)
channel.cancel()
for line in sorted(read):  # a requeued message may come back later
    print(line)
    #> event 0 (x-delivery-count 1)
    #> event 1 (x-delivery-count 0)
    #> event 2 (x-delivery-count 0)

# What a quorum queue refuses:
for what, arguments in {
    "non-durable": {"durable": False},
    "exclusive": {"durable": True, "exclusive": True},
    "auto-delete": {"durable": True, "auto_delete": True},
}.items():
    attempt = connection.channel()
    try:
        attempt.queue_declare(
            f"guide.type.quorum.{what}",
            arguments={"x-queue-type": "quorum"},
            **arguments,
        )
    except pika.exceptions.ChannelClosedByBroker as exc:
        reason = exc.reply_text.split(" - ")[1].split(" for ")[0]
        print(f"{what}: {exc.reply_code} {reason}")
        #> non-durable: 406 invalid property 'non-durable'
        #> exclusive: 406 invalid property 'exclusive-owner'
        #> auto-delete: 406 invalid property 'auto-delete'
channel.queue_delete("guide.type.quorum")
connection.close()
