"""RabbitMQ snippets: what runs before them (a producer, a server, a restart) and what must hold after.

By default a snippet runs in the run's own vhost (AMQP_URL from tests/fixtures/snippets.py), which
lives for the whole session: every queue a snippet declares is listed here, under `leaves` (checked
and deleted afterwards) or `cleanup`. `private_node` moves a snippet to a fresh vhost on the session's
private node (management API, restarts, users); `tls_node` to the private TLS-only node.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import pika
from services import snippets
from services.procs import eventually
from services.rabbitmq import consumers, delete_queues, queue_counts

from setups.common import env_from

if TYPE_CHECKING:
    from harness import SnippetContext


@contextmanager
def private_node(ctx: SnippetContext):
    ctx.node = ctx.rabbit_node
    with ctx.node.vhost() as vhost:
        ctx.vhost = vhost
        ctx.env["AMQP_URL"] = vhost.url
        ctx.env["RABBITMQ_API_URL"] = ctx.node.api().url
        yield


tls_node = env_from(lambda ctx: ctx.rabbit_tls.env)


def after(rel: str):
    """Run another snippet first (e.g. the producer before its consumer), as a reader would."""

    @contextmanager
    def setup(ctx: SnippetContext):
        snippets.run(rel, env=ctx.env).ok()
        yield

    return setup


def leaves(expected: dict[str, int | None]):
    """After the snippet: these queues hold exactly this many ready messages (None: queue absent); then delete them."""

    @contextmanager
    def setup(ctx: SnippetContext):
        yield
        try:
            assert queue_counts(ctx.env["AMQP_URL"], *expected) == expected
        finally:
            delete_queues(ctx.env["AMQP_URL"], *expected)

    return setup


def cleanup(*queues: str):
    @contextmanager
    def setup(ctx: SnippetContext):
        delete_queues(ctx.env["AMQP_URL"], *queues)
        yield
        delete_queues(ctx.env["AMQP_URL"], *queues)

    return setup


@contextmanager
def rpc_requests(ctx: SnippetContext):
    """Before rpc_server.py: two requests waiting, as a client would send them; after: their replies."""
    with pika.BlockingConnection(pika.URLParameters(ctx.env["AMQP_URL"])) as connection:
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


@contextmanager
def rpc_server_running(ctx: SnippetContext):
    """Before rpc_client.py: rpc_server.py runs in the background (it stops after 3 s idle)."""
    delete_queues(ctx.env["AMQP_URL"], "guide.rpc")
    log = ctx.tmp_path / "rpc_server.log"
    with snippets.background("rabbitmq/rpc_server.py", env=ctx.env, log=log) as proc:
        eventually(lambda: consumers(ctx.env["AMQP_URL"], "guide.rpc") == 1, 20, what="rpc_server.py to consume")
        yield
        proc.wait(timeout=20)
        assert "fib(10) = 55\nfib(30) = 832040\n" in log.read_text()
    delete_queues(ctx.env["AMQP_URL"], "guide.rpc")


@contextmanager
def restarted_after_publish(ctx: SnippetContext):
    """Before durability_2_count.py: durability_1_publish.py ran, then the private node restarted."""
    snippets.run("rabbitmq/durability_1_publish.py", env=ctx.env).ok()
    ctx.node.stop_app()
    ctx.node.start_app()
    ctx.vhost.wait_running()
    yield


@contextmanager
def orders_app_user(ctx: SnippetContext):
    """security_*.py: the private node; afterwards the vhost 'orders' and user 'orders-app' are removed."""
    ctx.env["ORDERS_AMQP_URL"] = f"amqp://orders-app:change-me@127.0.0.1:{ctx.node.port}/orders"
    try:
        yield
    finally:
        api = ctx.node.api()
        api.request("DELETE", "/api/vhosts/orders", check=False)
        api.request("DELETE", "/api/users/orders-app", check=False)


DURABILITY_QUEUES = ("guide.durable-persistent", "guide.durable-transient", "guide.transient-persistent")

SETUPS = {
    "rabbitmq/hello_send.py": [cleanup("hello"), leaves({"hello": 1})],
    "rabbitmq/hello_receive.py": [cleanup("hello"), after("rabbitmq/hello_send.py"), leaves({"hello": 0})],
    "rabbitmq/hello_persistent.py": [leaves({"guide.hello": 0})],
    "rabbitmq/work_queue_producer.py": [cleanup("guide.tasks"), leaves({"guide.tasks": 6})],
    "rabbitmq/work_queue_consumer.py": [cleanup("guide.tasks"), after("rabbitmq/work_queue_producer.py"),
                                        leaves({"guide.tasks": 0})],
    "rabbitmq/fair_dispatch.py": [leaves({"guide.fair": None})],
    "rabbitmq/auto_ack_loss.py": [leaves({"guide.ack-demo": None})],
    "rabbitmq/rpc_server.py": [rpc_requests],
    "rabbitmq/rpc_client.py": [rpc_server_running, leaves({"guide.rpc.standby": None})],
    "rabbitmq/publisher_confirms.py": [leaves({"guide.confirmed": None})],
    "rabbitmq/durability_1_publish.py": [private_node, leaves(dict.fromkeys(DURABILITY_QUEUES, 100))],
    "rabbitmq/durability_2_count.py": [private_node, restarted_after_publish, leaves(dict.fromkeys(DURABILITY_QUEUES))],
    "rabbitmq/consumer_crash_redelivery.py": [leaves({"guide.payments": None})],
    "rabbitmq/dead_letter_nack.py": [leaves({"guide.orders": None, "guide.orders.dead": None})],
    "rabbitmq/queue_ttl.py": [leaves({"guide.quotes": None, "guide.expired": None})],
    "rabbitmq/delayed_retry.py": [leaves({"guide.jobs": None, "guide.jobs.wait": None, "guide.jobs.parked": None})],
    "rabbitmq/poison_message_classic.py": [leaves({"guide.poison.classic": None})],
    "rabbitmq/poison_message_quorum.py": [leaves({"guide.poison.quorum": None, "guide.poison.dead": None})],
    "rabbitmq/management_queue_stats.py": [private_node, leaves({"guide.reports": None})],
    "rabbitmq/monitor_queues.py": [private_node, leaves({"guide.emails": None, "guide.thumbnails": None})],
    "rabbitmq/reconnect_consumer.py": [private_node, leaves({"guide.resilient": None})],
    "rabbitmq/thread_safe_ack.py": [leaves({"guide.thumbnails.threaded": None})],
    "rabbitmq/connection_per_message.py": [leaves({"guide.per-message": None})],
    "rabbitmq/bounded_queue.py": [leaves({"guide.bounded.drop-head": None, "guide.bounded.reject": None})],
    "rabbitmq/unacked_growth.py": [private_node, leaves({"guide.forgetful": None})],
    "rabbitmq/security_1_app_user.py": [private_node, orders_app_user],
    "rabbitmq/security_2_denied.py": [private_node, orders_app_user, after("rabbitmq/security_1_app_user.py")],
    "rabbitmq/tls_connect.py": [tls_node],
    "rabbitmq/queue_type_classic.py": [leaves({"guide.type.classic": None})],
    "rabbitmq/queue_type_quorum.py": [
        leaves(dict.fromkeys(["guide.type.quorum", "guide.type.quorum.non-durable", "guide.type.quorum.exclusive",
                              "guide.type.quorum.auto-delete"]))
    ],
    "rabbitmq/queue_type_stream.py": [leaves({"guide.type.stream": None})],
    "rabbitmq/shovel_to_quorum.py": [private_node, leaves({"guide.invoices": None, "guide.invoices.quorum": None})],
}
