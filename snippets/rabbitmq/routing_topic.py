"""Topic exchange: '*' matches exactly one word, '#' zero or more."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.exchange_declare("guide.topic", exchange_type="topic")

# Routing keys look like <service>.<severity>.<region>
bindings = {"errors": "*.error.*", "orders": "orders.#", "eu": "#.eu"}
queues = {}
for name, pattern in bindings.items():
    queues[name] = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queues[name], "guide.topic", routing_key=pattern)

keys = [
    "orders.error.eu",
    "orders.info.us",
    "payments.error.us",
    "payments.info.eu",
    "orders",  # '#' also matches zero words
    "orders.error",  # '*.error.*' needs exactly three words
    "audit.debug.ap",
]
for key in keys:
    channel.basic_publish("guide.topic", routing_key=key, body=key.encode())

got = {key: [] for key in keys}
for name, queue in queues.items():
    while True:
        method, _props, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            break
        got[body.decode()].append(name)

for key, names in got.items():
    print(f"{key:<17} -> {', '.join(names) or '(dropped)'}")
    #> orders.error.eu   -> errors, orders, eu
    #> orders.info.us    -> orders
    #> payments.error.us -> errors
    #> payments.info.eu  -> eu
    #> orders            -> orders
    #> orders.error      -> orders
    #> audit.debug.ap    -> (dropped)

channel.exchange_delete("guide.topic")
connection.close()
