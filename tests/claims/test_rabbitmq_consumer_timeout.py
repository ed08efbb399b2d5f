"""docs/rabbitmq/work-queues.md, reliability.md, mistakes.md, operations.md: what `consumer_timeout` does to a delivery
held too long, where else it can be set, and that the reconnect loop of reconnect_consumer.py survives it.

Each build runs a private node with `consumer_timeout = 3000` (30 min by default) and the channel tick at 1 s (60 s
by default: the broker checks the timeout only on that tick, so a real limit fires up to a minute late).
"""

from __future__ import annotations

import runpy
import time

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.paths import SNIPPETS
from services.rabbitmq_texts import (
    exception_line,
    log_lines,
    log_size,
    rabbitmqctl,
    wait_for_log_quiet,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.page("rabbitmq/work-queues.md", "rabbitmq/operations.md", "rabbitmq/troubleshooting.md"),
]
GLOBAL_MS, RAISED_MS = 3000, 6000
NO_CLOSE_WITHIN = 60  # s: a guard against hanging; every close here comes within GLOBAL_MS/RAISED_MS + the 1 s tick


def hold_one_delivery(url: str, queue: str, *, queue_args=None, consumer_args=None) -> dict:
    """Publish one job, take it (prefetch 1) and never ack: what closes, and where the job is afterwards."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        worker = connection.channel()  # channel 1, as in a worker
        setup = connection.channel()
        setup.queue_declare(queue, durable=True, arguments=queue_args)
        setup.confirm_delivery()
        setup.basic_publish("", queue, b"report 7", pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
        worker.basic_qos(prefetch_count=1)
        started, error = time.monotonic(), None
        try:
            for _method, _props, _body in worker.consume(queue, inactivity_timeout=1, arguments=consumer_args):
                assert time.monotonic() - started < NO_CLOSE_WITHIN, f"no channel close within {NO_CLOSE_WITHIN} s"
        except pika.exceptions.ChannelClosedByBroker as exc:
            error = exc
        method, _props, body = setup.basic_get(queue, auto_ack=True)
        return {
            "error": error,
            "connection_open": connection.is_open,
            "back": (body, method.redelivered) if method else None,
        }
    finally:
        if connection.is_open:
            connection.channel().queue_delete(queue)
            connection.close()


def timeout_used(outcome: dict) -> str:
    text = outcome["error"].reply_text
    return text.split("Timeout value used: ")[1].split(".")[0]


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_a_delivery_held_past_consumer_timeout_closes_the_channel_and_goes_back(build, build_node, rabbitmq_error):
    node = build_node(build, "timeouts")
    before = log_size(node)
    outcome = hold_one_delivery(node.url, "guide.reports")
    error = outcome["error"]
    assert (error.reply_code, error.reply_text) == (
        406,
        f"PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: {GLOBAL_MS} ms. "
        "This timeout value can be configured, see consumers doc guide to learn more",
    )
    assert outcome["connection_open"], "only the channel closes"
    assert outcome["back"] == (b"report 7", True), "the job is back in the queue, flagged redelivered"
    rabbitmq_error("consumer_timeout.txt", exception_line(error))
    [warning] = log_lines(node, "has timed out waiting for", after=before)
    wait_for_log_quiet(node)
    rabbitmq_error(f"consumer_timeout-log.{build}.txt", warning)


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_where_else_the_timeout_can_be_set(build, build_node, results, rabbitmq_error):
    """Raised to 6 s for one queue (argument, policy) and for one consumer, with 3 s in rabbitmq.conf:
    the 406 names the value the broker used."""
    node = build_node(build, "timeouts")
    rows = [
        ("rabbitmq.conf", f"`consumer_timeout = {GLOBAL_MS}`", hold_one_delivery(node.url, "guide.reports")),
        ("queue argument", f"`x-consumer-timeout: {RAISED_MS}` on `queue_declare`",
         hold_one_delivery(node.url, "guide.reports.arg", queue_args={"x-consumer-timeout": RAISED_MS})),
    ]  # fmt: skip
    policy = f'{{"consumer-timeout":{RAISED_MS}}}'
    code, printed = rabbitmqctl(
        node, "set_policy", "long-jobs", "^guide\\.reports\\.policy$", policy, "--apply-to", "queues"
    )
    if code == 0:
        rows.append(("policy", f"`rabbitmqctl set_policy long-jobs '^guide\\.reports\\.policy$' '{policy}'`",
                     hold_one_delivery(node.url, "guide.reports.policy")))  # fmt: skip
        rabbitmqctl(node, "clear_policy", "long-jobs")
    else:
        rows.append(("policy", f"`rabbitmqctl set_policy long-jobs '^guide\\.reports\\.policy$' '{policy}'`", printed))
        rabbitmq_error(f"policy_not_recognised.{build}.txt", printed)
    rows.append(("consumer argument", f"`x-consumer-timeout: {RAISED_MS}` on `consume()`",
                 hold_one_delivery(node.url, "guide.reports.consumer",
                                   consumer_args={"x-consumer-timeout": RAISED_MS})))  # fmt: skip

    used = {}
    lines = [f"| {build.label}: set in | Setting | What happened |", "|---|---|---|"]
    for where, setting, outcome in rows:
        if isinstance(outcome, str):
            refusal = " ".join(outcome[outcome.index("Error:") :].split())
            lines.append(f"| {where} | {setting} | refused: `{refusal}` |")
            continue
        assert outcome["connection_open"] and outcome["back"] == (b"report 7", True)
        used[where] = timeout_used(outcome)
        verdict = (
            ""
            if where == "rabbitmq.conf"
            else ("**applied**: " if used[where] == f"{RAISED_MS} ms" else "**ignored**: ")
        )
        lines.append(
            f"| {where} | {setting} | {verdict}channel closed, `Timeout value used: {used[where]}`; "
            "job back in the queue |"
        )
    results(f"rabbitmq/consumer_timeout.{build}.md", "\n".join(lines))

    if build.version.startswith("4."):  # per queue works, per consumer does not (4.0.5)
        assert used == {
            "rabbitmq.conf": "3000 ms",
            "queue argument": "6000 ms",
            "policy": "6000 ms",
            "consumer argument": "3000 ms",
        }
    else:  # 3.10: only rabbitmq.conf counts; the policy key is unknown
        assert used == {"rabbitmq.conf": "3000 ms", "queue argument": "3000 ms", "consumer argument": "3000 ms"}
        assert "are not recognised policy settings" in printed


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_the_reconnect_loop_survives_a_406_and_a_cancelled_consumer(build, build_node, results, monkeypatch):
    """reconnect_consumer.py's consume_forever(), with a job that hangs once past the timeout, then the queue
    deleted and declared again by another program."""
    node = build_node(build, "timeouts")
    monkeypatch.setenv("AMQP_URL", node.url)
    snippet = runpy.run_path(str(SNIPPETS / "rabbitmq" / "reconnect_consumer.py"), run_name="reconnect_consumer")
    events = snippet["events"]

    def handle(channel, method, body):
        if body == b"hangs once" and not method.redelivered:
            time.sleep(GLOBAL_MS / 1000 + 3)  # past the timeout and its 1 s tick
        channel.basic_ack(method.delivery_tag)
        events.append(f"processed {body.decode()}" + (" (redelivered)" if method.redelivered else ""))
        if body == b"hangs once":
            snippet["recreate_queue"](then_publish=b"after the cancel")

    with pika.BlockingConnection(pika.URLParameters(node.url)) as setup:
        channel = setup.channel()
        channel.queue_declare(snippet["QUEUE"], durable=True)
        channel.confirm_delivery()
        channel.basic_publish("", snippet["QUEUE"], b"hangs once")
    snippet["consume_forever"](handle, idle_stop=2)
    with pika.BlockingConnection(pika.URLParameters(node.url)) as cleanup:
        left = cleanup.channel().queue_delete(snippet["QUEUE"]).method.message_count

    assert events == [
        "channel closed (406 PRECONDITION_FAILED), again",
        "processed hangs once (redelivered)",
        "consumer cancelled by the broker, subscribe",
        "processed after the cancel",
    ]
    assert left == 0
    results("rabbitmq/reconnect_consumer_406.md", "\n".join(["```text", *events, "```"]))
