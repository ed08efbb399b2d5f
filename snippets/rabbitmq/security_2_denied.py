"""The app user publishes and consumes where allowed; the rest is refused."""

import os

import pika

ORDERS_AMQP_URL = os.environ.get(
    "ORDERS_AMQP_URL", "amqp://orders-app:change-me@localhost:5672/orders"
)
params = pika.URLParameters(ORDERS_AMQP_URL)
connection = pika.BlockingConnection(params)

channel = connection.channel()
channel.confirm_delivery()
channel.basic_publish("orders", "new", b"order 7")  # write on "orders"
method, _props, body = next(
    channel.consume("orders.work", inactivity_timeout=5)  # read
)
channel.basic_ack(method.delivery_tag)
print("allowed: publish to 'orders', consume", body)
#> allowed: publish to 'orders', consume b'order 7'
channel.cancel()

attempts = {
    "declare (configure)": lambda ch: ch.queue_declare("orders.mine"),
    "publish (write)": lambda ch: ch.basic_publish("amq.topic", "x", b"x"),
    "delete (configure)": lambda ch: ch.queue_delete("orders.work"),
}
for what, attempt in attempts.items():
    channel = connection.channel()  # a refusal closes the channel
    channel.confirm_delivery()
    try:
        attempt(channel)
    except pika.exceptions.ChannelClosedByBroker as exc:
        # "ACCESS_REFUSED - configure access to <resource> in vhost ..."
        reason = exc.reply_text.split(" - ")[1].split(" in vhost")[0]
        print(f"{what}: {exc.reply_code} {reason}")
        #> declare (configure): 403 configure access to queue 'orders.mine'
        #> publish (write): 403 write access to exchange 'amq.topic'
        #> delete (configure): 403 configure access to queue 'orders.work'
print("connection still open:", connection.is_open)
#> connection still open: True
connection.close()

# Another vhost: refused when connecting.
params.virtual_host = "/"
try:
    pika.BlockingConnection(params)
except pika.exceptions.ProbableAccessDeniedError as exc:
    reply = exc.args[0].split(": ", 1)[1]
print(reply)
#> (530) "NOT_ALLOWED - access to vhost '/' refused for user 'orders-app'"
