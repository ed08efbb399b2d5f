"""A consumer PROCESS killed with SIGKILL (no goodbye to the broker) before it acks.

Proves what docs/rabbitmq/work-queues.md and reliability.md state, with real crashes instead of the
snippets' `connection.close()`:
- manual ack: the message is redelivered to the next consumer with redelivered=True;
- auto_ack=True: every message already pushed to the dead consumer is lost;
- quorum queue with x-delivery-limit: each crash counts, and after the limit the message is dead-lettered.
Runs in the run's throwaway vhost on the shared broker: only client processes die here.
"""

from __future__ import annotations

import signal
import sys
import textwrap
import time

import pika
from fixtures.rabbitmq import delete_queues, queue_counts
from services.errors import wait_until
from services.procs import spawn, stop

CONSUMER = textwrap.dedent(
    """
    import sys, time, pika
    url, queue, auto_ack = sys.argv[1], sys.argv[2], sys.argv[3] == "auto"
    channel = pika.BlockingConnection(pika.URLParameters(url)).channel()
    if not auto_ack:
        channel.basic_qos(prefetch_count=1)
    for method, properties, body in channel.consume(queue, auto_ack=auto_ack):
        print("received", body.decode(), method.redelivered, flush=True)
        time.sleep(60)  # "working" until killed
    """
)


def crash_a_consumer(url: str, queue: str, log, *, auto_ack: bool = False) -> None:
    """Start a consumer process, wait until it holds a message, then SIGKILL it."""
    before = log.read_text() if log.exists() else ""
    proc = spawn([sys.executable, "-c", CONSUMER, url, queue, "auto" if auto_ack else "manual"], log=log)
    try:
        wait_until(lambda: log.read_text().count("received") > before.count("received"), timeout=20, what="a delivery")
    finally:
        stop(proc, sig=signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL


def publish(url: str, queue: str, bodies: list[bytes], arguments: dict | None = None) -> None:
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        channel.queue_delete(queue)
        channel.queue_declare(queue, durable=True, arguments=arguments)
        channel.confirm_delivery()
        for body in bodies:
            channel.basic_publish("", queue, body)


def test_killed_consumer_message_is_redelivered(amqp_vhost, tmp_path):
    url, queue = amqp_vhost.url, "faults.redelivery"
    publish(url, queue, [b"charge order 42"])
    crash_a_consumer(url, queue, tmp_path / "consumer.log")
    assert "received charge order 42 False" in (tmp_path / "consumer.log").read_text()

    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        method, _props, body = next(channel.consume(queue, inactivity_timeout=10))
        assert (body, method.redelivered) == (b"charge order 42", True)
        channel.basic_ack(method.delivery_tag)
        channel.cancel()
    assert queue_counts(url, queue) == {queue: 0}
    delete_queues(url, queue)


def test_killed_auto_ack_consumer_loses_what_it_was_sent(amqp_vhost, tmp_path):
    url, queue = amqp_vhost.url, "faults.auto-ack"
    publish(url, queue, [f"order {n}".encode() for n in range(5)])
    crash_a_consumer(url, queue, tmp_path / "consumer.log", auto_ack=True)
    # auto_ack: the broker forgot all 5 when it sent them; the process died with them
    assert queue_counts(url, queue) == {queue: 0}
    time.sleep(1)  # nothing comes back later either
    assert queue_counts(url, queue) == {queue: 0}
    delete_queues(url, queue)


def test_quorum_delivery_limit_dead_letters_a_message_that_kills_its_consumer(amqp_vhost, tmp_path):
    url, queue, dead = amqp_vhost.url, "faults.poison", "faults.poison.dead"
    arguments = {"x-queue-type": "quorum", "x-delivery-limit": 2,
                 "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead}  # fmt: skip
    delete_queues(url, dead)
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        connection.channel().queue_declare(dead, durable=True)
    publish(url, queue, [b"corrupt pdf"], arguments)

    log = tmp_path / "consumer.log"
    for _ in range(3):  # delivery-limit 2: the first delivery + 2 redeliveries
        crash_a_consumer(url, queue, log)
    assert log.read_text().splitlines() == ["received corrupt pdf False"] + ["received corrupt pdf True"] * 2

    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        method, properties, body = next(channel.consume(dead, auto_ack=True, inactivity_timeout=10))
        assert body == b"corrupt pdf"
        assert properties.headers["x-death"][0]["reason"] == "delivery_limit"
        channel.cancel()
    assert queue_counts(url, queue) == {queue: 0}
    delete_queues(url, queue, dead)
