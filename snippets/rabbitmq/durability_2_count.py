"""After a broker restart: what is left of durability_1_publish.py's queues."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
QUEUES = [
    "guide.durable-persistent",
    "guide.durable-transient",
    "guide.transient-persistent",
]

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
for queue in QUEUES:
    channel = connection.channel()  # a 404 closes the channel: one each
    try:
        declared = channel.queue_declare(queue, passive=True)
        state = f"{declared.method.message_count} messages"
        channel.queue_delete(queue)  # clean up for the next run
    except pika.exceptions.ChannelClosedByBroker as exc:
        state = f"gone ({exc.reply_code} {exc.reply_text.split(' - ')[0]})"
    print(f"{queue}: {state}")
    #> guide.durable-persistent: 100 messages
    #> guide.durable-transient: 0 messages
    #> guide.transient-persistent: gone (404 NOT_FOUND)
connection.close()
