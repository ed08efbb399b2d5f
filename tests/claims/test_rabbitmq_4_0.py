"""docs/rabbitmq/index.md#versions and the pages it links: what RabbitMQ 4.0 does differently from 3.10, on a private
node of each (services/generations.py), and what 4.3's defaults do to two snippets (4.0 with 4.3's default for
transient non-exclusive queues; 4.3 itself does not run here).

Each build writes its own table (snippets/rabbitmq/results/versions.<build>.md); the pages show both side by side.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pika
import pytest
from services import snippets
from services.generations import RABBITMQ_4_0, RABBITMQ_BUILDS, SNIPPET_RABBITMQ
from services.paths import SNIPPETS
from services.procs import eventually
from services.rabbitmq_node import RabbitNode
from services.rabbitmq_texts import (
    exception_line,
    log_lines,
    log_size,
    rabbitmqctl,
    wait_for_log_quiet,
)
from services.snippets import expected_output

pytestmark = [
    pytest.mark.slow,
    pytest.mark.page("rabbitmq/index.md", "rabbitmq/scaling.md", "rabbitmq/troubleshooting.md"),
]
CAP = 25  # deliveries after which the test stops a poison message that is never dropped (3.10)
SIXTEEN_MIB = 16 * 1024 * 1024


def code(text: str) -> str:
    """Inline code in Markdown, also for text that holds backticks."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def poison_in_a_quorum_queue(channel, queue: str, dead_letter_to: str | None) -> list[int]:
    """Reject the one message with requeue=True each time it comes; the x-delivery-count of every delivery."""
    arguments = {"x-queue-type": "quorum"}
    if dead_letter_to:
        arguments |= {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead_letter_to}
    channel.queue_declare(queue, durable=True, arguments=arguments)
    channel.basic_publish("", queue, b"poison")
    counts = []
    for method, properties, _body in channel.consume(queue, inactivity_timeout=2):
        if method is None:  # nothing more came: the broker stopped redelivering
            break
        counts.append(int((properties.headers or {}).get("x-delivery-count", 0)))
        if len(counts) == CAP:
            channel.basic_ack(method.delivery_tag)  # the test stops here
            break
        channel.basic_reject(method.delivery_tag, requeue=True)
    channel.cancel()
    return counts


def delivery_limit(channel) -> str:
    channel.queue_declare("guide.poison.parked", durable=True)
    with_dlx = poison_in_a_quorum_queue(channel, "guide.poison.default", "guide.poison.parked")
    parked = eventually(lambda: channel.basic_get("guide.poison.parked", auto_ack=True), timeout=10,
                        what="the dead-lettered message") if len(with_dlx) < CAP else (None, None, None)  # fmt: skip
    without = poison_in_a_quorum_queue(channel, "guide.poison.nodlx", None)
    left = channel.queue_declare("guide.poison.nodlx", passive=True).method.message_count
    for queue in ("guide.poison.default", "guide.poison.parked", "guide.poison.nodlx"):
        channel.queue_delete(queue)
    assert with_dlx == list(range(len(with_dlx))) and without == with_dlx
    if len(with_dlx) == CAP:
        return f"delivered {CAP} times (`x-delivery-count` 0 to {CAP - 1}) until the test stopped it: no limit"
    death = parked[1].headers["x-death"][0]
    assert left == 0 and parked[2] == b"poison"
    return (f"delivered {len(with_dlx)} times (`x-delivery-count` 0 to {with_dlx[-1]}), then dead-lettered "
            f"(`x-death` reason `{death['reason']}`); without a dead-letter exchange: dropped")  # fmt: skip


def ha_mode_policy(node: RabbitNode, rabbitmq_error) -> str:
    code, printed = rabbitmqctl(node, "set_policy", "ha-all", "^ha\\.", '{"ha-mode":"all"}', "--apply-to", "queues")
    if code == 0:
        rabbitmqctl(node, "clear_policy", "ha-all")
        return "accepted"
    rabbitmq_error(f"ha_mode_policy.{node.build}.txt", printed)
    return f"refused (exit code {code}): `{' '.join(printed[printed.index('Error:') :].split())}`"


def transient_queue(node: RabbitNode, channel, rabbitmq_error) -> str:
    before = log_size(node)
    for queue in ("guide.transient", "guide.transient.2"):  # used twice
        channel.queue_declare(queue, durable=False)
        channel.queue_delete(queue)
    channel.connection.close()
    log_lines(node, "closing AMQP connection", after=before)  # later than any warning about the declare
    wait_for_log_quiet(node)
    warned = [line for line in node.log.read_bytes()[before:].decode().splitlines() if "Deprecated features" in line]
    if not warned:
        return "accepted; nothing logged"
    deprecated = [line for line in warned if "Feature `transient_nonexcl_queues` is deprecated" in line]
    assert len(deprecated) == 1, warned  # once
    record = record_of(node, warned[0], before)
    rabbitmq_error(f"transient_nonexcl_queues-log.{node.build}.txt", "\n".join(record))
    warning = "``Deprecated features: `transient_nonexcl_queues` ...``"
    return f"accepted; the broker logs a warning at the first use (once, though the test declared two): {warning}"


def record_of(node: RabbitNode, first: str, after: int) -> list[str]:
    """All lines of the multi-line log record that starts with `first` (same timestamp and process), without the
    timestamp."""
    prefix = " ".join(first.split(" ")[:4])  # date time [level] <pid>
    lines = node.log.read_bytes()[after:].decode().splitlines()
    return [line.split(" ", 2)[2] for line in lines if line.startswith(prefix)]


def amqp_1_0_header(node: RabbitNode) -> str:
    with socket.create_connection(("127.0.0.1", node.port), timeout=5) as sock:
        sock.sendall(b"AMQP\x03\x01\x00\x00")  # "AMQP 1.0, SASL layer"
        reply = sock.recv(8)
    meaning = {b"AMQP\x03\x01\x00\x00": "AMQP 1.0 (SASL) answered",
               b"AMQP\x00\x00\x09\x01": "not spoken: the broker answers with its AMQP 0-9-1 header"}  # fmt: skip
    return f"{meaning[reply]}: `{reply!r}`; `rabbitmq_amqp1_0` plugin not enabled"


def large_message(build, channel, rabbitmq_error) -> str:
    channel.queue_declare("guide.large", durable=True)
    try:
        channel.basic_publish("", "guide.large", b"x" * (SIXTEEN_MIB + 1))
    except pika.exceptions.ChannelClosedByBroker as exc:
        rabbitmq_error(f"message_too_large.{build}.txt", exception_line(exc))
        channel = channel.connection.channel()
        channel.queue_delete("guide.large")
        return f"refused, channel closed: `{exc.reply_code} {exc.reply_text}`"
    count = channel.queue_declare("guide.large", passive=True).method.message_count
    channel.queue_delete("guide.large")
    assert count == 1
    return "accepted and confirmed (the limit is 128 MiB)"


def classic_queue_storage(node: RabbitNode, channel) -> str:
    """Which storage format the queue's files on disk have (CQv1: journal.jif and *.idx; CQv2: *.qi and *.qs)."""
    queue = f"guide.cq.v1.{uuid.uuid4().hex[:8]}"  # a deleted queue's folder may linger a moment
    channel.confirm_delivery()
    channel.queue_declare(queue, durable=True, arguments={"x-queue-version": 1})
    channel.basic_publish("", queue, b"x" * 100, pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))

    def index_files() -> set[str]:
        [queue_dir] = [
            p.parent for p in node.dir.glob("mnesia/**/queues/*/.queue_name") if f"QUEUE: {queue}\n" in p.read_text()
        ]
        names = {path.name for path in queue_dir.iterdir()}
        return names if any(name.endswith((".jif", ".idx", ".qi")) for name in names) else set()

    files = eventually(index_files, timeout=30, interval=0.2, what="the queue's index files")
    channel.queue_delete(queue)
    if "journal.jif" in files or any(name.endswith(".idx") for name in files):
        return "stored as CQv1 (its files: `journal.jif`, `*.idx`)"
    assert any(name.endswith(".qi") for name in files), files
    return "stored as CQv2 all the same (its files: `*.qi`, `*.qs`)"


def quorum_priorities(channel) -> str:
    channel.confirm_delivery()  # all 12 are in the queue before the first basic_get
    channel.queue_declare("guide.prio", durable=True, arguments={"x-queue-type": "quorum"})
    for priority in [0] * 6 + [9] * 6:
        channel.basic_publish("", "guide.prio", b"H" if priority else b"L", pika.BasicProperties(priority=priority))
    order = ""
    while (got := channel.basic_get("guide.prio", auto_ack=True))[0] is not None:
        order += got[2].decode()
    channel.queue_delete("guide.prio")
    return f"`{order}` (L: priority 0, H: priority 9)"


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_what_differs_between_rabbitmq_4_0_and_3_10(build, build_node, results, rabbitmq_error):
    node = build_node(build)
    connection = pika.BlockingConnection(pika.URLParameters(node.url))
    channel = connection.channel()
    channel.confirm_delivery()
    # key -> (what the test did, what it saw); some keys also name a one-line file a topic page includes
    rows = {
        "delivery_limit": ("A poison message in a quorum queue without `x-delivery-limit`, "
                           "rejected with `requeue=True` each time",
                           delivery_limit(channel)),
        "ha_mode": ("`rabbitmqctl set_policy ha-all '^ha\\.' '{\"ha-mode\":\"all\"}'` (classic queue mirroring)",
                    ha_mode_policy(node, rabbitmq_error)),
        "transient_queue": ("A non-durable, non-exclusive queue: `queue_declare(name, durable=False)`",
                            transient_queue(node, channel, rabbitmq_error)),
    }  # fmt: skip
    connection = pika.BlockingConnection(pika.URLParameters(node.url))
    channel = connection.channel()
    channel.confirm_delivery()
    rows |= {
        "amqp_1_0": ("The AMQP 1.0 protocol header sent to the AMQP port", amqp_1_0_header(node)),
        "message_size": ("A message of 16 MiB + 1 byte, publisher confirms on",
                         large_message(build, channel, rabbitmq_error)),
        "queue_version": ("A classic queue declared with `x-queue-version: 1`",
                          classic_queue_storage(node, connection.channel())),
        "priorities": ("A quorum queue: 6 messages at priority 0, then 6 at priority 9, read back",
                       quorum_priorities(connection.channel())),
    }  # fmt: skip
    connection.close()
    lines = [f"| What the test did | {build.label} ({build.version}) |", "|---|---|"]
    lines += [f"| {what} | {seen} |" for what, seen in rows.values()]
    for key in ("delivery_limit", "ha_mode", "transient_queue", "priorities"):
        results(f"rabbitmq/{key}.{build}.md", f"- **{build.label}** ({build.version}): {rows[key][1]}")
    results(f"rabbitmq/versions.{build}.md", "\n".join(lines))


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_the_app_users_refusals_name_the_permission_on_4_0(build, build_node, results):
    """security_2_denied.py prints the broker's reason; 4.0 adds the missing permission to it."""
    node = build_node(build)
    env = {"AMQP_URL": node.url, "RABBITMQ_API_URL": f"http://guest:guest@127.0.0.1:{node.management_port}",
           "ORDERS_AMQP_URL": f"amqp://orders-app:change-me@127.0.0.1:{node.port}/orders"}  # fmt: skip
    try:
        snippets.run("rabbitmq/security_1_app_user.py", env=env).ok()
        printed = snippets.run("rabbitmq/security_2_denied.py", env=env).ok().stdout
    finally:
        with httpx.Client(base_url=node.management_url, auth=("guest", "guest"), timeout=10) as http:
            http.delete("/api/vhosts/orders")
            http.delete("/api/users/orders-app")
    if build is SNIPPET_RABBITMQ:  # the snippet's `#>` lines are this build's output
        assert printed.splitlines() == expected_output("rabbitmq/security_2_denied.py")
    results(f"rabbitmq/security_2_denied.{build}.txt", printed)


def test_4_3s_default_refuses_transient_queues_with_a_connection_close(build_node, rabbitmq_error, results, tmp_path):
    """RabbitMQ 4.0 with `deprecated_features.permit.transient_nonexcl_queues = false`, which 4.3 sets by default."""
    node = build_node(RABBITMQ_4_0, "denied")
    connection = pika.BlockingConnection(pika.URLParameters(node.url))
    connection.channel().queue_declare("", exclusive=True)  # exclusive transient queues stay allowed
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker) as refused:
        connection.channel().queue_declare("guide.transient", durable=False)
    assert refused.value.reply_code == 541 and not connection.is_open
    rabbitmq_error("transient_nonexcl_queues_denied.txt", exception_line(refused.value))

    failures = {}
    for rel in ("rabbitmq/durability_1_publish.py", "rabbitmq/queue_type_quorum.py"):
        path = SNIPPETS / rel
        done = subprocess.run([sys.executable, str(path)], cwd=path.parent, env={**os.environ, "AMQP_URL": node.url},
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode != 0, f"{rel} ran on a broker that denies transient non-exclusive queues"
        failures[rel] = done.stderr.strip().splitlines()[-1]
    lines = ["| Snippet | On RabbitMQ 4.0.5 with 4.3's default for `transient_nonexcl_queues` |", "|---|---|"]
    for rel, last in failures.items():
        first_line = last.split("\\n")[0]  # pika's repr of the reply text, up to its first newline
        lines.append(f"| `{Path(rel).name}` | raised at its non-durable declare: {code(first_line + ' ...')} |")
    results("rabbitmq/transient_denied_snippets.md", "\n".join(lines))
