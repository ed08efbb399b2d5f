"""Direct exchange: a queue gets the messages whose key equals a binding."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.exchange_declare("guide.direct_logs", exchange_type="direct")

bindings = {
    "pager": ["error"],
    "logfile": ["info", "warning", "error"],
}
queues = {}
for name, keys in bindings.items():
    queues[name] = channel.queue_declare("", exclusive=True).method.queue
    for key in keys:  # one binding per key; a queue may have many
        channel.queue_bind(queues[name], "guide.direct_logs", routing_key=key)

for severity in ["info", "warning", "error", "debug"]:
    channel.basic_publish(
        "guide.direct_logs", routing_key=severity, body=severity.encode()
    )


def drain(queue):
    bodies = []
    while True:
        method, _props, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return bodies
        bodies.append(body.decode())


for name, queue in queues.items():
    print(f"{name:>7}: {drain(queue)}")
    #>   pager: ['error']
    #> logfile: ['info', 'warning', 'error']
# "debug" matched no binding: the exchange dropped it (see mandatory=True
# on the Reliability page to be told instead).

channel.exchange_delete("guide.direct_logs")
connection.close()
