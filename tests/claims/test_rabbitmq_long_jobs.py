"""docs/rabbitmq/work-queues.md: a job that runs inline in a BlockingConnection consumer loop for longer than the
heartbeat timeout loses the connection (the broker hears nothing and closes it), its ack fails and the job comes
back, again and again; the same job in a thread, acked with add_callback_threadsafe (thread_safe_ack.py), works.

Heartbeat 1 s and a 6 s job stand for the default 60 s heartbeat and a job of several minutes.
"""

from __future__ import annotations

import functools
import threading
import time

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.rabbitmq_texts import exception_line, log_lines, log_size

pytestmark = [pytest.mark.slow, pytest.mark.page("rabbitmq/work-queues.md", "rabbitmq/troubleshooting.md")]
HEARTBEAT_S, JOB_S = 1, 6
QUEUE = "guide.tasks.long"
GUARD_S = 60  # against hanging only: the threaded job ends after JOB_S


def inline_worker(url: str) -> tuple[bool, BaseException | None]:
    """work_queue_consumer.py's loop, with a long job: (redelivered flag of the delivery, what the ack raised)."""
    connection = pika.BlockingConnection(pika.URLParameters(f"{url}?heartbeat={HEARTBEAT_S}"))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=1)
    for method, _props, _body in channel.consume(QUEUE, inactivity_timeout=5):
        assert method is not None, "no job delivered"
        time.sleep(JOB_S)  # the "work", inline: no I/O, so no heartbeats
        try:
            channel.basic_ack(method.delivery_tag)
        except pika.exceptions.AMQPConnectionError as exc:
            return method.redelivered, exc
        connection.close()
        return method.redelivered, None
    raise AssertionError("consume() ended")


def threaded_worker(url: str) -> bool:
    """thread_safe_ack.py's pattern with the same job: the redelivered flag of the delivery it acked."""
    connection = pika.BlockingConnection(pika.URLParameters(f"{url}?heartbeat={HEARTBEAT_S}"))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=1)
    acked, seen = [], []

    def ack(delivery_tag):
        channel.basic_ack(delivery_tag)
        acked.append(delivery_tag)

    def work(delivery_tag):
        time.sleep(JOB_S)
        connection.add_callback_threadsafe(functools.partial(ack, delivery_tag))

    def on_message(_channel, method, _properties, _body):
        seen.append(method.redelivered)
        threading.Thread(target=work, args=(method.delivery_tag,)).start()

    channel.basic_consume(QUEUE, on_message)
    started = time.monotonic()
    while not acked:
        assert time.monotonic() - started < GUARD_S, "the threaded job never acked"
        connection.process_data_events(time_limit=0.1)  # I/O, heartbeats, callbacks
    connection.close()
    return seen[0]


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_an_inline_job_longer_than_the_heartbeat_loops_and_a_threaded_one_finishes(
    build, build_node, results, rabbitmq_error
):
    node = build_node(build)
    with pika.BlockingConnection(pika.URLParameters(node.url)) as setup:
        channel = setup.channel()
        channel.queue_declare(QUEUE, durable=True)
        channel.confirm_delivery()
        channel.basic_publish(
            "", QUEUE, b"resize video 7", pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
        )

    before = log_size(node)
    first = inline_worker(node.url)
    second = inline_worker(node.url)
    third = threaded_worker(node.url)
    with pika.BlockingConnection(pika.URLParameters(node.url)) as cleanup:
        left = cleanup.channel().queue_delete(QUEUE).method.message_count

    for _redelivered, error in (first, second):
        assert isinstance(error, pika.exceptions.StreamLostError), error
    assert (first[0], second[0], third, left) == (False, True, True, 0)
    missed = log_lines(node, "missed heartbeats from client", after=before)
    assert len(missed) == 2, missed

    rabbitmq_error("missed_heartbeats.txt", exception_line(first[1]))
    rabbitmq_error("missed_heartbeats-log.txt", missed[0])
    lost = f"`basic_ack` raised `{type(first[1]).__name__}`; the broker logged `missed heartbeats from client`"
    results("rabbitmq/long_job_heartbeat.md", "\n".join([
        f"| Worker (heartbeat {HEARTBEAT_S} s, a {JOB_S} s job) | Delivery | What happened |",
        "|---|---|---|",
        f"| job inline in the `consume()` loop, as in `work_queue_consumer.py` | 1st | {lost}; "
        "the job went back to the queue |",
        "| the same worker, started again | 2nd, redelivered | the same: the job ran a second time and failed again |",
        "| job in a thread, ack through `add_callback_threadsafe` (`thread_safe_ack.py`) | 3rd, redelivered "
        "| acked; the queue is empty |",
    ]))  # fmt: skip
