"""High-availability snippets: the RabbitMQ cluster and the Redis Sentinel setup they talk to
(tests/fixtures/replicated_fixtures.py starts both from the commands the pages show), and what must hold after."""

from __future__ import annotations

from contextlib import contextmanager

import pika


@contextmanager
def on_cluster(ctx):
    """cluster_quorum_publish.py: AMQP_CLUSTER_URLS lists the three nodes; afterwards its queue is gone."""
    cluster = ctx.fixture("rabbit_cluster")
    ctx.env["AMQP_CLUSTER_URLS"] = cluster.urls_env
    yield
    connection = pika.BlockingConnection(pika.URLParameters(cluster.nodes[1].url))
    try:
        channel = connection.channel()
        try:
            channel.queue_declare("guide.ha.orders", passive=True)
            raise AssertionError("cluster_quorum_publish.py left guide.ha.orders behind")
        except pika.exceptions.ChannelClosedByBroker as exc:
            assert exc.reply_code == 404, exc
    finally:
        connection.close()


@contextmanager
def on_sentinels(ctx):
    """sentinel_client.py: REDIS_SENTINELS lists the three sentinels; afterwards the primary holds no key."""
    setup = ctx.fixture("redis_sentinels")
    ctx.env["REDIS_SENTINELS"] = setup.sentinels_env
    yield
    assert setup.primary.client().dbsize() == 0


SETUPS = {
    "rabbitmq/cluster_quorum_publish.py": [on_cluster],
    "redis/sentinel_client.py": [on_sentinels],
}
