"""Before a restart: 100 messages each, in three queue/message setups."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
TRANSIENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Transient)
SETUPS = {  # queue name: (durable queue?, message properties)
    "guide.durable-persistent": (True, PERSISTENT),
    "guide.durable-transient": (True, TRANSIENT),
    "guide.transient-persistent": (False, PERSISTENT),
}

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.confirm_delivery()  # every message confirmed before we go on
for queue, (durable, properties) in SETUPS.items():
    channel.queue_delete(queue)
    channel.queue_declare(queue, durable=durable)
    for number in range(100):
        channel.basic_publish("", queue, str(number).encode(), properties)
    count = channel.queue_declare(queue, passive=True).method.message_count
    print(f"{queue}: {count} messages")
    #> guide.durable-persistent: 100 messages
    #> guide.durable-transient: 100 messages
    #> guide.transient-persistent: 100 messages
connection.close()
