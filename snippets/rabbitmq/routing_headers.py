"""Headers exchange: route on message headers, x-match all or any."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.exchange_declare("guide.headers", exchange_type="headers")

bindings = {
    # every listed header must match
    "pdf-reports": {"x-match": "all", "format": "pdf", "type": "report"},
    # at least one listed header must match
    "pdf-or-urgent": {"x-match": "any", "format": "pdf", "prio": "urgent"},
}
queues = {}
for name, arguments in bindings.items():
    queues[name] = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queues[name], "guide.headers", arguments=arguments)

messages = [
    {"format": "pdf", "type": "report"},
    {"format": "pdf", "type": "invoice"},
    {"format": "zip", "prio": "urgent"},
    {"format": "zip", "type": "report"},
]
for number, headers in enumerate(messages):
    channel.basic_publish(
        "guide.headers",
        routing_key="",  # ignored by a headers exchange
        body=str(number).encode(),
        properties=pika.BasicProperties(headers=headers),
    )

got = {number: [] for number in range(len(messages))}
for name, queue in queues.items():
    while True:
        method, _props, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            break
        got[int(body)].append(name)

for number, names in got.items():
    print(messages[number], "->", ", ".join(names) or "(dropped)")
    #> {'format': 'pdf', 'type': 'report'} -> pdf-reports, pdf-or-urgent
    #> {'format': 'pdf', 'type': 'invoice'} -> pdf-or-urgent
    #> {'format': 'zip', 'prio': 'urgent'} -> pdf-or-urgent
    #> {'format': 'zip', 'type': 'report'} -> (dropped)

channel.exchange_delete("guide.headers")
connection.close()
