"""`message_count` right after a publish: stale without confirms, exact with them (docs/rabbitmq/work-queues.md).

On every RabbitMQ build (4.0 and 3.10), in a throwaway vhost on the session's node of each."""

from __future__ import annotations

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.rabbitmq import delete_queues

pytestmark = [pytest.mark.page("rabbitmq/work-queues.md"), pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)]

PAIRS = 200


def _zeros_after_publish(url: str, *, confirm: bool) -> int:
    """Publish one message to an empty queue, count at once; repeat. How often was the count 0?"""
    queue = f"faults.counts.{'confirmed' if confirm else 'unconfirmed'}"
    zeros = 0
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        if confirm:
            channel.confirm_delivery()
        channel.queue_declare(queue, durable=True)
        for _ in range(PAIRS):
            channel.queue_purge(queue)
            channel.basic_publish("", queue, b"x")
            zeros += channel.queue_declare(queue, passive=True).method.message_count == 0
    delete_queues(url, queue)
    return zeros


@pytest.fixture
def url(build, build_node):
    with build_node(build).vhost("counts") as vhost:
        yield vhost.url


def test_count_right_after_an_unconfirmed_publish_can_miss_it(url):
    assert _zeros_after_publish(url, confirm=False) > 0


def test_count_after_a_confirmed_publish_includes_it(url):
    assert _zeros_after_publish(url, confirm=True) == 0
