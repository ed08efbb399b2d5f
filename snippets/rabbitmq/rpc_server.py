"""RPC server: answer fib(n) to reply_to, echoing the correlation_id."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
IDLE_SECONDS = 3  # a real server loops forever; this demo stops when idle


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare("guide.rpc", durable=True)
channel.basic_qos(prefetch_count=1)

served = 0
for method, properties, body in channel.consume(
    "guide.rpc", inactivity_timeout=IDLE_SECONDS
):
    if method is None:
        break
    n = int(body)
    print(f"fib({n}) = {fib(n)}")
    #> fib(10) = 55
    #> fib(30) = 832040
    channel.basic_publish(
        exchange="",
        routing_key=properties.reply_to,  # the caller's own queue
        properties=pika.BasicProperties(
            correlation_id=properties.correlation_id  # echo it back
        ),
        body=str(fib(n)).encode(),
    )
    channel.basic_ack(method.delivery_tag)  # after the reply is sent
    served += 1

print(f"idle for {IDLE_SECONDS} s: served {served} requests")
#> idle for 3 s: served 2 requests
channel.cancel()
connection.close()
