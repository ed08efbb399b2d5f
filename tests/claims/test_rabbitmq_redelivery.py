"""A consumer PROCESS killed with SIGKILL (no goodbye to the broker) before it acks.

Proves what docs/rabbitmq/work-queues.md and reliability.md state, with real crashes instead of the
snippets' `connection.close()`:
- manual ack: the message is redelivered to the next consumer with redelivered=True;
- auto_ack=True: every message already pushed to the dead consumer is lost;
- quorum queue with x-delivery-limit: each crash counts, and after the limit the message is dead-lettered.
Runs on every RabbitMQ build (4.0 and 3.10), in a throwaway vhost on the session's node of each
(fixtures/rabbitmq_builds.py): only client processes die here.
"""

from __future__ import annotations

import signal
import time

import pika
import pytest
from services import snippets
from services.generations import RABBITMQ_BUILDS
from services.paths import PROGRAMS
from services.procs import eventually, stop
from services.rabbitmq import delete_queues, queue_counts

pytestmark = [
    pytest.mark.page("rabbitmq/work-queues.md", "rabbitmq/reliability.md"),
    pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str),
]


@pytest.fixture
def url(build, build_node):
    """A fresh vhost on the session's node of `build`."""
    with build_node(build).vhost("faults") as vhost:
        yield vhost.url


def crash_a_consumer(url: str, queue: str, log, *, auto_ack: bool = False) -> None:
    """Start a consumer process (programs/killable_consumer.py), wait until it holds a message, then SIGKILL it."""
    before = log.read_text() if log.exists() else ""
    mode = "auto" if auto_ack else "manual"
    with snippets.background(PROGRAMS / "killable_consumer.py", url, queue, mode, log=log) as proc:
        try:
            eventually(lambda: log.read_text().count("received") > before.count("received"), 20, what="a delivery")
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


def test_killed_consumer_message_is_redelivered(url, tmp_path):
    queue = "faults.redelivery"
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


def test_killed_auto_ack_consumer_loses_what_it_was_sent(url, tmp_path):
    queue = "faults.auto-ack"
    publish(url, queue, [f"order {n}".encode() for n in range(5)])
    crash_a_consumer(url, queue, tmp_path / "consumer.log", auto_ack=True)
    # auto_ack: the broker forgot all 5 when it sent them; the process died with them
    assert queue_counts(url, queue) == {queue: 0}
    time.sleep(1)  # nothing comes back later either
    assert queue_counts(url, queue) == {queue: 0}
    delete_queues(url, queue)


def test_quorum_delivery_limit_dead_letters_a_message_that_kills_its_consumer(url, tmp_path):
    queue, dead = "faults.poison", "faults.poison.dead"
    arguments = {"x-queue-type": "quorum", "x-delivery-limit": 2,
                 "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead}
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
