"""docs/rabbitmq/troubleshooting.md: every error text on the page is triggered here, on a private node of each
build (its "/" vhost is ours), and written to snippets/rabbitmq/errors/<row>.txt, which the page includes.

A row's file is shared by both builds, and must then come out the same on both, unless the row is in PER_BUILD
(its texts differ: `<row>.<build>.txt`, shown in tabs). Rows that need no broker run once. Other rows of the
page come from the tests of the pages that explain them (consumer timeout, heartbeats, 4.0 vs 3.10).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import httpx
import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.procs import eventually, free_port
from services.rabbitmq_node import RabbitNode
from services.rabbitmq_texts import exception_line, log_lines, log_size

pytestmark = pytest.mark.page("rabbitmq/troubleshooting.md")

PER_BUILD = {"access_refused_resource", "inequivalent_queue_type"}
GUARD_S = 60  # against hanging only


def channel_error(node: RabbitNode, action) -> BaseException:
    """Run action(channel) on a fresh connection; the exception it raised (the connection is closed afterwards)."""
    with pika.BlockingConnection(pika.URLParameters(node.url)) as connection:
        try:
            action(connection.channel())
        except pika.exceptions.AMQPError as exc:
            return exc
    raise AssertionError("no error")


def cleanup(node: RabbitNode, *queues: str) -> None:
    with pika.BlockingConnection(pika.URLParameters(node.url)) as connection:
        channel = connection.channel()
        for queue in queues:
            channel.queue_delete(queue)


# -- rows: each returns {file suffix: text}; "" is the Python exception line, "-log" a broker log line ---------------


def login_refused(node):
    before = log_size(node)
    with pytest.raises(pika.exceptions.ProbableAuthenticationError) as refused:
        pika.BlockingConnection(pika.URLParameters(node.url.replace("guest:guest", "guest:wrong")))
    [logged] = log_lines(node, "login refused", after=before)
    return {"": exception_line(refused.value), "-log": logged}


def vhost_not_found(node):
    with pytest.raises(pika.exceptions.ProbableAccessDeniedError) as refused:
        pika.BlockingConnection(pika.URLParameters(node.url.replace("/%2F", "/orders-staging")))
    return {"": exception_line(refused.value)}


def vhost_access_refused(node):
    node.ctl("add_user", "billing-app", "s3cret")
    try:
        with pytest.raises(pika.exceptions.ProbableAccessDeniedError) as refused:
            pika.BlockingConnection(pika.URLParameters(node.url.replace("guest:guest", "billing-app:s3cret")))
    finally:
        node.ctl("delete_user", "billing-app")
    return {"": exception_line(refused.value)}


def access_refused_resource(node):
    node.ctl("add_user", "billing-app", "s3cret")
    node.ctl("set_permissions", "-p", "/", "billing-app", "^billing\\.", "^billing\\.", "^billing\\.")
    try:
        url = node.url.replace("guest:guest", "billing-app:s3cret")
        with (
            pika.BlockingConnection(pika.URLParameters(url)) as connection,
            pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused,
        ):
            connection.channel().queue_declare("orders", durable=True)
    finally:
        node.ctl("delete_user", "billing-app")
    return {"": exception_line(refused.value)}


def inequivalent_durable(node):
    def redeclare(channel):
        channel.queue_declare("orders", durable=True)
        channel.queue_declare("orders", durable=False)  # another program, another declaration

    error = channel_error(node, redeclare)
    cleanup(node, "orders")
    return {"": exception_line(error)}


def inequivalent_queue_type(node):
    def redeclare(channel):
        channel.queue_declare("orders", durable=True)
        channel.queue_declare("orders", durable=True, arguments={"x-queue-type": "quorum"})

    error = channel_error(node, redeclare)
    cleanup(node, "orders")
    return {"": exception_line(error)}


def channel_closed(node):
    with pika.BlockingConnection(pika.URLParameters(node.url)) as connection:
        channel = connection.channel()
        with pytest.raises(pika.exceptions.ChannelClosedByBroker):
            channel.queue_declare("orders", passive=True)  # no such queue: 404 closes the channel
        with pytest.raises(pika.exceptions.ChannelWrongStateError) as reused:
            channel.basic_publish("", "orders", b"order 7")
        assert connection.is_open
    return {"": exception_line(reused.value)}


def unknown_delivery_tag(node):
    def ack_twice(channel):
        channel.queue_declare("orders", durable=True)
        channel.confirm_delivery()
        channel.basic_publish("", "orders", b"order 7")
        method, _props, _body = channel.basic_get("orders")
        channel.basic_ack(method.delivery_tag)
        channel.basic_ack(method.delivery_tag)  # acked twice: the broker closes the channel...
        channel.queue_declare("orders", passive=True)  # ...and pika raises at the next call that waits

    error = channel_error(node, ack_twice)
    cleanup(node, "orders")
    return {"": exception_line(error)}


def no_queue(node):
    error = channel_error(node, lambda channel: channel.basic_consume("orders", lambda *args: None))
    return {"": exception_line(error)}


def no_exchange(node):
    def publish(channel):
        channel.confirm_delivery()
        channel.basic_publish("orders", "created", b"order 7")

    return {"": exception_line(channel_error(node, publish))}


def resource_locked(node):
    with pika.BlockingConnection(pika.URLParameters(node.url)) as owner:
        owner.channel().queue_declare("replies.worker-1", exclusive=True)
        error = channel_error(node, lambda channel: channel.basic_consume("replies.worker-1", lambda *args: None))
    return {"": exception_line(error)}


def unroutable(node):
    def publish(channel):
        channel.confirm_delivery()
        channel.basic_publish("", "no-such-queue", b"order 7", mandatory=True)

    with pika.BlockingConnection(pika.URLParameters(node.url)) as connection:
        try:
            publish(connection.channel())
        except pika.exceptions.UnroutableError as exc:
            return {"": exception_line(exc)}
    raise AssertionError("delivered")


def nack_error(node):
    with pika.BlockingConnection(pika.URLParameters(node.url)) as connection:
        channel = connection.channel()
        channel.queue_declare(
            "orders.bounded", durable=True, arguments={"x-max-length": 1, "x-overflow": "reject-publish"}
        )
        channel.confirm_delivery()
        channel.basic_publish("", "orders.bounded", b"order 1")
        with pytest.raises(pika.exceptions.NackError) as nacked:
            channel.basic_publish("", "orders.bounded", b"order 2")
        channel.queue_delete("orders.bounded")
    return {"": exception_line(nacked.value)}


def connection_forced_admin(node):
    name = "billing-worker"
    params = pika.URLParameters(node.url)
    params.client_properties = {"connection_name": name}
    connection = pika.BlockingConnection(params)
    with httpx.Client(base_url=node.management_url, auth=("guest", "guest"), timeout=10) as api:

        def close_it():
            for conn in api.get("/api/connections").json():
                if conn.get("client_properties", {}).get("connection_name") == name:
                    return api.delete(f"/api/connections/{conn['name']}").status_code == 204
            return False

        eventually(close_it, timeout=30, interval=0.2, what="the connection in /api/connections")
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker) as closed:
        started = time.monotonic()
        while time.monotonic() - started < GUARD_S:
            connection.process_data_events(time_limit=1)
    return {"": exception_line(closed.value)}


def connection_forced_shutdown(node):
    connection = pika.BlockingConnection(pika.URLParameters(node.url))
    stopper = threading.Thread(target=node.stop_app)
    stopper.start()
    try:
        with pytest.raises(pika.exceptions.ConnectionClosedByBroker) as closed:
            started = time.monotonic()
            while time.monotonic() - started < GUARD_S:
                connection.process_data_events(time_limit=1)
    finally:
        stopper.join()
        node.start_app()
    return {"": exception_line(closed.value)}


def wrong_port(node):
    url = f"amqp://guest:guest@127.0.0.1:{node.management_port}/%2F"  # the management UI's port
    with pytest.raises(pika.exceptions.AMQPConnectionError) as failed:
        pika.BlockingConnection(pika.URLParameters(url))
    return {"": exception_line(failed.value)}


def blocked_connection_timeout(node):
    status = json.loads(node.ctl("status", "--formatter", "json"))
    watermark = status["vm_memory_high_watermark_setting"]["relative"]
    before = log_size(node)
    connection = pika.BlockingConnection(pika.URLParameters(f"{node.url}?blocked_connection_timeout=3"))
    channel = connection.channel()
    node.ctl("set_vm_memory_high_watermark", "0.0000001")  # any memory use is now too much: the alarm goes off
    try:
        [alarm] = log_lines(node, "Publishers will be blocked until this alarm clears", after=before)
        with pytest.raises(pika.exceptions.ConnectionBlockedTimeout) as blocked:
            channel.basic_publish("", "orders", b"order 7")  # blocks this connection
            started = time.monotonic()
            while time.monotonic() - started < GUARD_S:
                connection.process_data_events(time_limit=1)
    finally:
        node.ctl("set_vm_memory_high_watermark", str(watermark))
        eventually(
            lambda: not json.loads(node.ctl("status", "--formatter", "json"))["alarms"],
            timeout=30,
            what="the alarm to clear",
        )
    return {"": exception_line(blocked.value), "-log": alarm}


def heartbeat_timeout(node):
    """The broker stops answering (SIGSTOP of its Erlang VM, like a frozen VM or a dead network path)."""
    connection = pika.BlockingConnection(pika.URLParameters(f"{node.url}?heartbeat=1"))
    beam = int(node.pidfile.read_text().strip())
    os.kill(beam, signal.SIGSTOP)
    try:
        with pytest.raises(pika.exceptions.AMQPHeartbeatTimeout) as silent:
            started = time.monotonic()
            while time.monotonic() - started < GUARD_S:
                connection.process_data_events(time_limit=1)
    finally:
        os.kill(beam, signal.SIGCONT)
    return {"": exception_line(silent.value)}


BROKER_ROWS = [
    login_refused, vhost_not_found, vhost_access_refused, access_refused_resource, inequivalent_durable,
    inequivalent_queue_type, channel_closed, unknown_delivery_tag, no_queue, no_exchange, resource_locked, unroutable,
    nack_error, connection_forced_admin, connection_forced_shutdown, wrong_port, blocked_connection_timeout,
    heartbeat_timeout,
]  # fmt: skip


@pytest.mark.parametrize("row", BROKER_ROWS, ids=lambda row: row.__name__)
@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_error_text(build, row, build_node, rabbitmq_error):
    node = build_node(build)
    for suffix, text in row(node).items():
        name = f"{row.__name__}{suffix}"
        rabbitmq_error(f"{name}.{build}.txt" if name in PER_BUILD else f"{name}.txt", text)


# -- rows that need no broker ---------------------------------------------------------------------------------------


def test_connection_refused_prints_nothing_after_the_class_name(rabbitmq_error):
    with pytest.raises(pika.exceptions.AMQPConnectionError) as refused:
        pika.BlockingConnection(pika.URLParameters(f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"))
    assert str(refused.value) == ""
    rabbitmq_error("connection_refused.txt", exception_line(refused.value))
    rabbitmq_error("connection_refused-repr.txt", repr(refused.value))


def test_a_host_name_that_does_not_resolve_is_not_an_amqp_error(rabbitmq_error):
    """A compose service name used outside the compose network: socket.gaierror, which `except AMQPConnectionError`
    misses."""
    with pytest.raises(OSError) as failed:
        pika.BlockingConnection(pika.URLParameters("amqp://guest:guest@rabbitmq:5672/%2F"))
    assert not isinstance(failed.value, pika.exceptions.AMQPConnectionError)
    rabbitmq_error("name_not_known.txt", exception_line(failed.value))


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_pika_0_x_basic_consume_call_fails_on_pika_1(build, build_node, rabbitmq_error):
    def callback(channel, method, properties, body):
        pass

    with pika.BlockingConnection(pika.URLParameters(build_node(build).url)) as connection:
        channel = connection.channel()
        with pytest.raises(TypeError) as old_call:
            channel.basic_consume(callback, queue="orders")  # the pika 0.x order, from old tutorials
        with pytest.raises(TypeError) as old_keyword:
            channel.basic_consume(queue="orders", on_message_callback=callback, no_ack=True)
    rabbitmq_error(
        "basic_consume_signature.txt", "\n".join([exception_line(old_call.value), exception_line(old_keyword.value)])
    )
