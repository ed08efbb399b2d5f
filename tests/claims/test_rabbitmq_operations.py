"""docs/rabbitmq/operations.md: `rabbitmqctl list_queues` gives exact counts at once, unlike the sampled HTTP API.

On every RabbitMQ build (4.0 and 3.10): the session's node of each, in a vhost of its own."""

from __future__ import annotations

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.paths import DOCS

pytestmark = pytest.mark.page("rabbitmq/operations.md")

COMMAND = "rabbitmqctl list_queues name messages_ready messages_unacknowledged consumers"


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_list_queues_shows_ready_unacked_and_consumers_immediately(build, build_node):
    assert f"`{COMMAND}`" in (DOCS / "rabbitmq" / "operations.md").read_text()
    node = build_node(build)
    with node.vhost("ops") as vhost, pika.BlockingConnection(pika.URLParameters(vhost.url)) as connection:
        channel = connection.channel()
        channel.queue_declare("guide.ops", durable=True)
        channel.confirm_delivery()
        for n in range(3):
            channel.basic_publish("", "guide.ops", str(n).encode())
        worker = connection.channel()
        worker.basic_qos(prefetch_count=1)
        worker.basic_consume("guide.ops", lambda *args: None)
        connection.process_data_events(time_limit=0.5)  # the delivery reaches us

        out = node.ctl(*COMMAND.split()[1:], "-p", vhost.name, "--no-table-headers")
        assert out.split() == ["guide.ops", "2", "1", "1"]
