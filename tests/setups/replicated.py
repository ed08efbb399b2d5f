"""High-availability snippets: the RabbitMQ cluster and the Redis Sentinel setup they talk to (session fixtures,
tests/fixtures/replicated.py, started from the commands the pages show), and what must hold after."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pika

from setups.common import afterwards, env_from

if TYPE_CHECKING:
    from harness import SnippetContext


def _session(ctx: SnippetContext, name: str):
    return ctx.request.getfixturevalue(name)


def _no_orders_queue_left(ctx: SnippetContext) -> None:
    """cluster_quorum_publish.py deletes its queue: a passive declare on another node says 404."""
    cluster = _session(ctx, "rabbit_cluster")
    with pika.BlockingConnection(pika.URLParameters(cluster.nodes[1].url)) as connection:
        try:
            connection.channel().queue_declare("guide.ha.orders", passive=True)
        except pika.exceptions.ChannelClosedByBroker as exc:
            assert exc.reply_code == 404, exc
        else:
            raise AssertionError("cluster_quorum_publish.py left guide.ha.orders behind")


def _primary_holds_no_key(ctx: SnippetContext) -> None:
    assert _session(ctx, "redis_sentinels").primary.client().dbsize() == 0


SETUPS = {
    "rabbitmq/cluster_quorum_publish.py": [
        env_from(lambda ctx: {"AMQP_CLUSTER_URLS": _session(ctx, "rabbit_cluster").urls_env}),
        afterwards(_no_orders_queue_left),
    ],
    "redis/sentinel_client.py": [
        env_from(lambda ctx: {"REDIS_SENTINELS": _session(ctx, "redis_sentinels").sentinels_env}),
        afterwards(_primary_holds_no_key),
    ],
}
