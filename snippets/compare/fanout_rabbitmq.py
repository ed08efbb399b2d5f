"""Fan-out with a RabbitMQ fanout exchange: each bound queue gets a copy.
A durable named queue keeps messages while its consumer is offline; an
exclusive queue is deleted with its connection, and so are its messages."""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
params = pika.URLParameters(AMQP_URL)

publisher = pika.BlockingConnection(params)
channel = publisher.channel()
channel.confirm_delivery()
channel.exchange_declare("guide.news", exchange_type="fanout")
channel.queue_delete("guide.news.mailer")  # start clean


def mailer() -> tuple[pika.BlockingConnection, object, str]:
    """A durable queue with a fixed name: it outlives its consumers."""
    connection = pika.BlockingConnection(params)
    ch = connection.channel()
    ch.queue_declare("guide.news.mailer", durable=True)
    ch.queue_bind("guide.news.mailer", "guide.news")
    return connection, ch, "guide.news.mailer"


def dashboard() -> tuple[pika.BlockingConnection, object, str]:
    """An exclusive queue with a server-made name: it lives as long as
    this connection."""
    connection = pika.BlockingConnection(params)
    ch = connection.channel()
    queue = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(queue, "guide.news")
    return connection, ch, queue


def received(ch, queue: str) -> list[str]:
    """Everything waiting in `queue` (basic_get until it is empty)."""
    got = []
    while True:
        method, _props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            return got
        got.append(body.decode())


(m_conn, m_ch, m_queue), (d_conn, d_ch, d_queue) = mailer(), dashboard()
channel.basic_publish("guide.news", "", b"release 1.0")
print(received(m_ch, m_queue), received(d_ch, d_queue))
#> ['release 1.0'] ['release 1.0']

m_conn.close()  # both go offline
d_conn.close()
channel.basic_publish("guide.news", "", b"release 1.1")

(m_conn, m_ch, m_queue), (d_conn, d_ch, d_queue) = mailer(), dashboard()
print(received(m_ch, m_queue), received(d_ch, d_queue))
#> ['release 1.1'] []

m_conn.close()
d_conn.close()
channel.queue_delete("guide.news.mailer")
channel.exchange_delete("guide.news")
publisher.close()
