"""Publish/subscribe: a fanout exchange copies each message to every queue."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.exchange_declare("guide.logs", exchange_type="fanout")


def subscribe():
    # A private queue per subscriber: server-named, exclusive to this
    # connection, deleted when it closes. Fanout ignores routing keys.
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, "guide.logs")
    return queue


def drain(queue):
    bodies = []
    while True:
        method, _props, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return bodies
        bodies.append(body.decode())


subscribers = {"screen": subscribe(), "archive": subscribe()}
channel.basic_publish("guide.logs", routing_key="", body=b"user signed up")
subscribers["late"] = subscribe()  # binds after the first message
channel.basic_publish("guide.logs", routing_key="", body=b"payment failed")

for name, queue in subscribers.items():
    print(f"{name:>7}: {drain(queue)}")
    #>  screen: ['user signed up', 'payment failed']
    #> archive: ['user signed up', 'payment failed']
    #>    late: ['payment failed']

channel.exchange_delete("guide.logs")
connection.close()
