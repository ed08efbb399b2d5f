"""RabbitMQ snippets: what runs before them (a producer, a server, a restart) and what must hold after.

By default a snippet runs in the run's throwaway vhost on the shared broker (AMQP_URL from conftest).
`private_node` moves it to a fresh vhost on the session's private node (management API, restarts,
users), `tls_node` to the private TLS-only node.
"""

from __future__ import annotations

from contextlib import contextmanager

from fixtures.rabbitmq_fixtures import NodeVhost, api_url, delete_queues, queue_counts, run_snippet, snippet_process
from services.errors import wait_until


@contextmanager
def private_node(ctx):
    node = ctx.fixture("rabbit_node")
    with NodeVhost(node) as vhost:
        ctx.data["node"], ctx.data["vhost"] = node, vhost
        ctx.env["AMQP_URL"] = vhost.url
        ctx.env["RABBITMQ_API_URL"] = api_url(node)
        yield


@contextmanager
def tls_node(ctx):
    ctx.env.update(ctx.fixture("rabbit_tls").env)
    yield


def after(rel: str):
    """Run another snippet first (e.g. the producer before its consumer), as a reader would."""

    @contextmanager
    def setup(ctx):
        ctx.data.setdefault("before", {})[rel] = run_snippet(rel, ctx.env)
        yield

    return setup


def leaves(expected: dict[str, int | None]):
    """After the snippet: these queues hold exactly this many ready messages (None: queue absent); then delete them."""

    @contextmanager
    def setup(ctx):
        yield
        try:
            assert queue_counts(ctx.env["AMQP_URL"], *expected) == expected
        finally:
            delete_queues(ctx.env["AMQP_URL"], *expected)

    return setup


def cleanup(*queues: str):
    @contextmanager
    def setup(ctx):
        delete_queues(ctx.env["AMQP_URL"], *queues)
        yield
        delete_queues(ctx.env["AMQP_URL"], *queues)

    return setup


SETUPS = {
    "rabbitmq/hello_send.py": [cleanup("hello"), leaves({"hello": 1})],
    "rabbitmq/hello_receive.py": [cleanup("hello"), after("rabbitmq/hello_send.py"), leaves({"hello": 0})],
    "rabbitmq/hello_persistent.py": [leaves({"guide.hello": 0})],
}
SETUPS |= {
    "rabbitmq/work_queue_producer.py": [cleanup("guide.tasks"), leaves({"guide.tasks": 6})],
    "rabbitmq/work_queue_consumer.py": [cleanup("guide.tasks"), after("rabbitmq/work_queue_producer.py"), leaves({"guide.tasks": 0})],
    "rabbitmq/fair_dispatch.py": [leaves({"guide.fair": None})],
    "rabbitmq/auto_ack_loss.py": [leaves({"guide.ack-demo": None})],
}
