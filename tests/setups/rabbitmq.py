"""RabbitMQ snippets: what runs before them (a producer, a server, a restart) and what must hold after.

By default a snippet runs in the run's throwaway vhost on the shared broker (AMQP_URL from conftest).
`private_node` moves it to a fresh vhost on the session's private node (management API, restarts,
users), `tls_node` to the private TLS-only node.
"""

from __future__ import annotations

from contextlib import contextmanager

from fixtures.rabbitmq import NodeVhost, api_url, delete_queues, queue_counts, run_snippet, snippet_process
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


@contextmanager
def rpc_requests(ctx):
    """Before rpc_server.py: two requests waiting, as a client would send them; after: their replies."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(ctx.env["AMQP_URL"]))
    channel = connection.channel()
    channel.queue_declare("guide.rpc", durable=True)
    channel.queue_declare("guide.rpc.test-replies", durable=True)
    for n in (10, 30):
        props = pika.BasicProperties(reply_to="guide.rpc.test-replies", correlation_id=f"request-{n}")
        channel.basic_publish("", "guide.rpc", str(n).encode(), properties=props)
    try:
        yield
        replies = {}
        while (got := channel.basic_get("guide.rpc.test-replies", auto_ack=True))[0] is not None:
            replies[got[1].correlation_id] = got[2]
        assert replies == {"request-10": b"55", "request-30": b"832040"}
    finally:
        channel.queue_delete("guide.rpc.test-replies")
        channel.queue_delete("guide.rpc")
        connection.close()


@contextmanager
def rpc_server_running(ctx):
    """Before rpc_client.py: rpc_server.py runs in the background (it stops after 3 s idle)."""
    delete_queues(ctx.env["AMQP_URL"], "guide.rpc")
    log = ctx.tmp_path / "rpc_server.log"
    with snippet_process("rabbitmq/rpc_server.py", ctx.env, log) as proc:
        wait_until(lambda: _consumers(ctx.env["AMQP_URL"], "guide.rpc") == 1, timeout=20, what="rpc_server.py to consume")
        yield
        proc.wait(timeout=20)
        assert "fib(10) = 55\nfib(30) = 832040\n" in log.read_text()
    delete_queues(ctx.env["AMQP_URL"], "guide.rpc")


def _consumers(url: str, queue: str) -> int:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count
    finally:
        connection.close()


SETUPS |= {
    "rabbitmq/rpc_server.py": [rpc_requests],
    "rabbitmq/rpc_client.py": [rpc_server_running, leaves({"guide.rpc.standby": None})],
}


@contextmanager
def restarted_after_publish(ctx):
    """Before durability_2_count.py: durability_1_publish.py ran, then the private node restarted."""
    ctx.data["before"] = run_snippet("rabbitmq/durability_1_publish.py", ctx.env)
    node = ctx.data["node"]
    node.stop_app()
    node.start_app()
    ctx.data["vhost"].wait_running()
    yield


SETUPS |= {
    "rabbitmq/publisher_confirms.py": [leaves({"guide.confirmed": None})],
    "rabbitmq/durability_1_publish.py": [
        private_node,
        leaves({"guide.durable-persistent": 100, "guide.durable-transient": 100, "guide.transient-persistent": 100}),
    ],
    "rabbitmq/durability_2_count.py": [
        private_node,
        restarted_after_publish,
        leaves({"guide.durable-persistent": None, "guide.durable-transient": None, "guide.transient-persistent": None}),
    ],
}
SETUPS |= {
    "rabbitmq/consumer_crash_redelivery.py": [leaves({"guide.payments": None})],
    "rabbitmq/dead_letter_nack.py": [leaves({"guide.orders": None, "guide.orders.dead": None})],
    "rabbitmq/queue_ttl.py": [leaves({"guide.quotes": None, "guide.expired": None})],
    "rabbitmq/delayed_retry.py": [leaves({"guide.jobs": None, "guide.jobs.wait": None, "guide.jobs.parked": None})],
    "rabbitmq/poison_message_classic.py": [leaves({"guide.poison.classic": None})],
    "rabbitmq/poison_message_quorum.py": [leaves({"guide.poison.quorum": None, "guide.poison.dead": None})],
}
SETUPS |= {
    "rabbitmq/management_queue_stats.py": [private_node, leaves({"guide.reports": None})],
    "rabbitmq/monitor_queues.py": [private_node, leaves({"guide.emails": None, "guide.thumbnails": None})],
}
SETUPS |= {
    "rabbitmq/reconnect_consumer.py": [private_node, leaves({"guide.resilient": None})],
    "rabbitmq/thread_safe_ack.py": [leaves({"guide.thumbnails.threaded": None})],
}
SETUPS |= {
    "rabbitmq/connection_per_message.py": [leaves({"guide.per-message": None})],
    "rabbitmq/bounded_queue.py": [leaves({"guide.bounded.drop-head": None, "guide.bounded.reject": None})],
    "rabbitmq/unacked_growth.py": [private_node, leaves({"guide.forgetful": None})],
}


@contextmanager
def orders_app_user(ctx):
    """security_*.py: the private node; afterwards the vhost 'orders' and user 'orders-app' are removed."""
    from fixtures.rabbitmq import api

    node = ctx.data["node"]
    ctx.env["ORDERS_AMQP_URL"] = f"amqp://orders-app:change-me@127.0.0.1:{node.port}/orders"
    try:
        yield
    finally:
        with api(node) as http:
            http.delete("/api/vhosts/orders")
            http.delete("/api/users/orders-app")


SETUPS |= {
    "rabbitmq/security_1_app_user.py": [private_node, orders_app_user],
    "rabbitmq/security_2_denied.py": [private_node, orders_app_user, after("rabbitmq/security_1_app_user.py")],
    "rabbitmq/tls_connect.py": [tls_node],
}
SETUPS |= {
    "rabbitmq/queue_type_classic.py": [leaves({"guide.type.classic": None})],
    "rabbitmq/queue_type_quorum.py": [
        leaves({"guide.type.quorum": None, "guide.type.quorum.non-durable": None, "guide.type.quorum.exclusive": None,
                "guide.type.quorum.auto-delete": None})
    ],
    "rabbitmq/queue_type_stream.py": [leaves({"guide.type.stream": None})],
}
SETUPS |= {
    "rabbitmq/shovel_to_quorum.py": [private_node, leaves({"guide.invoices": None, "guide.invoices.quorum": None})],
}
