"""docs/rabbitmq/reliability.md#publisher-confirms-and-unroutable-messages: a BlockingChannel can wait once per batch
with a transaction: nothing of the batch is in the queue before `tx_commit()`, all of it after."""

from __future__ import annotations

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.paths import DOCS

pytestmark = pytest.mark.page("rabbitmq/reliability.md")

BATCH = 100


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_a_transaction_publishes_a_batch_at_commit(build, build_node):
    node = build_node(build)
    with (
        pika.BlockingConnection(pika.URLParameters(node.url)) as publisher,
        pika.BlockingConnection(pika.URLParameters(node.url)) as observer,
    ):
        channel = publisher.channel()
        channel.queue_declare("guide.batch", durable=True)
        channel.tx_select()
        for number in range(BATCH):
            channel.basic_publish(
                "",
                "guide.batch",
                str(number).encode(),
                pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent),
            )
        channel.queue_declare("guide.batch", passive=True)  # a round trip on the channel: the broker has the publishes
        before = observer.channel().queue_declare("guide.batch", passive=True).method.message_count
        channel.tx_commit()  # one round trip for the whole batch
        after = observer.channel().queue_declare("guide.batch", passive=True).method.message_count
        channel.queue_delete("guide.batch")
    assert (before, after) == (0, BATCH)


def test_the_page_names_the_batch_this_test_publishes():
    """The page's sentence about this test gives its batch size: the number comes from here, not from memory."""
    page = " ".join((DOCS / "rabbitmq" / "reliability.md").read_text().split())
    assert f"sees none of a {BATCH}-message batch" in page
