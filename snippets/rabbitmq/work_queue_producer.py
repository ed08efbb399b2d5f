"""Queue six tasks durably for workers (run work_queue_consumer.py next)."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare("guide.tasks", durable=True)
channel.confirm_delivery()  # each publish returns once the broker has it

for number in range(1, 7):
    channel.basic_publish(
        exchange="",
        routing_key="guide.tasks",
        body=f"resize image {number}".encode(),
        properties=pika.BasicProperties(
            delivery_mode=pika.DeliveryMode.Persistent
        ),
    )

waiting = channel.queue_declare("guide.tasks", passive=True).method
print("tasks waiting:", waiting.message_count)
#> tasks waiting: 6
connection.close()
