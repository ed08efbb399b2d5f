"""High availability on a real RabbitMQ cluster (docs/rabbitmq/scaling.md, "High availability, measured").

Per generation (RabbitMQ 4.0 and 3.10): three private nodes joined as snippets/rabbitmq/servers/cluster.txt
shows (both clusters built at once), and one kill -9 of node 1. In order:

1. Through node 1: the snippet's quorum queue `guide.ha.orders` (servers/cluster_leader.txt, run as
   shown, names node 1 as its leader: a queue is placed on the node the client declared it through)
   and a classic queue `guide.ha.invoices` holding 5 persistent messages (on node 1 too).
2. Two `ClusterPublisher`s of snippets/rabbitmq/cluster_quorum_publish.py publish with confirms, each in
   a thread, without pause, publishing a message again after a failed attempt as the snippet does:
   A connected to node 1, B to node 2.
3. After 1.5 s node 1 is killed (SIGKILL to its pid). The publishers go on for 4 s after the kill (longer,
   up to 30 s, until each has a confirm after the kill).
4. While node 1 is down, from node 2, each on its own connection at once: passive declare, declare,
   publish with confirm (without and with mandatory), basic_get and basic_consume on the classic queue.
5. Node 1 is started again and rejoins. Every message of both queues is read.

The 4.0 classic-queue operations wait about a minute for the broker's answer; the 3.10 run happens
meanwhile (its cluster was idle until then), so the module costs one such wait, not two.
Asserted: no confirmed message is missing; the leader moved to a surviving node; publisher B never
failed; the classic queue failed while its node was down and held its messages again after the
restart. Numbers and error texts (node names as the page shows them) go to
snippets/rabbitmq/results/cluster_failover.md.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pika
import pytest
from services.generations import RABBITMQ_BUILDS
from services.procs import eventually
from services.replicated import DocumentedCluster, import_snippet

pytestmark = [pytest.mark.slow, pytest.mark.page("rabbitmq/scaling.md"),
              pytest.mark.timeout(600)]  # both clusters are built by the first test

CLASSIC = "guide.ha.invoices"
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
# What publisher A (on the killed node) can see, as ClusterPublisher records it; anything else is counted as "other".
A_ERRORS = {  # by the short name the table uses
    "connection lost": "StreamLostError: Stream connection lost: ConnectionResetError(104, 'Connection reset by peer')",
    "nacked": "NackError: 0 message(s) NACKed",
    "connect refused": "connect: AMQPConnectionError",  # trying the killed node again, in turn
}
PROBES = (
    "passive declare",
    "declare",
    "publish (confirm)",
    "publish (confirm, mandatory)",
    "basic_get",
    "basic_consume",
)


@dataclass
class Attempt:
    body: bytes
    start: float
    end: float
    confirmed: bool


@dataclass
class Publisher:
    name: str
    node: str  # the page's name of the node it starts on
    attempts: list[Attempt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnected_to: str | None = None
    crashed: BaseException | None = None

    @property
    def confirmed(self) -> set[bytes]:
        return {a.body for a in self.attempts if a.confirmed}


@dataclass
class Outcome:
    cluster: DocumentedCluster
    leader_before: str = ""
    leader_after: str = ""
    killed: float = 0.0
    publishers: list[Publisher] = field(default_factory=list)
    probes: dict[str, tuple[str, float]] = field(default_factory=dict)  # what -> (result, seconds)
    stored: Counter = field(default_factory=Counter)  # quorum queue bodies after the run
    classic_after: list[bytes] = field(default_factory=list)
    classic_back_after: float = 0.0  # seconds from the restart command until a passive declare answered


def leaders(cluster: DocumentedCluster, via: int) -> dict[str, str]:
    rows = json.loads(cluster.nodes[via].ctl("list_queues", "name", "leader", "--formatter", "json"))
    return {row["name"]: cluster.documented(row["leader"]) for row in rows}


def publish(publisher: Publisher, client: object, urls: str, nodes: list[str], until) -> None:
    """The snippet's loop: each message until confirmed; records every attempt. `nodes`: the URLs in the page's
    order."""
    try:
        sender = client.ClusterPublisher(urls)
        number, node = 0, sender.node
        while not until(publisher):
            body = f"{publisher.name}-{number}".encode()
            start = time.monotonic()
            confirmed = sender.publish(body)
            publisher.attempts.append(Attempt(body, start, time.monotonic(), confirmed))
            number += confirmed
            if sender.node != node:
                publisher.reconnected_to = f"node {nodes.index(sender.urls[sender.node]) + 1}"
                node = sender.node
        publisher.errors = sender.errors
        sender.connection.close()
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        publisher.crashed = exc


def probe(url: str, what: str) -> tuple[str, float]:
    """One operation on the classic queue whose node is down: what it did, and how long it took."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    start = time.monotonic()
    try:
        if what == "passive declare":
            channel.queue_declare(CLASSIC, passive=True)
        elif what == "declare":
            channel.queue_declare(CLASSIC, durable=True)
        elif what.startswith("publish"):
            channel.confirm_delivery()
            channel.basic_publish(
                "", CLASSIC, b"published while down", properties=PERSISTENT, mandatory="mandatory" in what
            )
            return "confirmed", time.monotonic() - start
        elif what == "basic_get":
            method, _, _ = channel.basic_get(CLASSIC)
            return f"answered ({'a message' if method else 'empty'})", time.monotonic() - start
        else:
            channel.basic_consume(CLASSIC, lambda *args: None)
        return "answered", time.monotonic() - start
    except pika.exceptions.AMQPError as exc:
        return f"{type(exc).__name__}: {exc}", time.monotonic() - start
    finally:
        if connection.is_open:
            connection.close()


def run_kill(cluster: DocumentedCluster, quorum_done: threading.Event) -> Outcome:
    try:
        return _run_kill(cluster, quorum_done)
    finally:
        quorum_done.set()  # also when it failed early: nobody waits for it in vain


def _run_kill(cluster: DocumentedCluster, quorum_done: threading.Event) -> Outcome:
    client = import_snippet("rabbitmq/cluster_quorum_publish.py")
    outcome = Outcome(cluster)
    node1, node2 = cluster.nodes[0], cluster.nodes[1]
    with pika.BlockingConnection(pika.URLParameters(node1.url)) as connection:
        channel = connection.channel()
        channel.queue_declare(client.QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        cluster.run_file("rabbitmq/servers/cluster_leader.txt")  # as the page shows it: node 1 leads
        channel.queue_declare(CLASSIC, durable=True)
        channel.confirm_delivery()
        for number in range(5):
            channel.basic_publish("", CLASSIC, f"invoice {number}".encode(), properties=PERSISTENT, mandatory=True)
    outcome.leader_before = leaders(cluster, via=1)[client.QUEUE]

    urls = cluster.urls_env.split(",")
    starts = {"A": urls, "B": urls[1:] + urls[:1]}  # A starts on node 1, B on node 2
    outcome.publishers = [Publisher(name, f"node {urls.index(order[0]) + 1}") for name, order in starts.items()]

    def until(publisher: Publisher) -> bool:
        if not outcome.killed:
            return False
        now = time.monotonic()
        confirmed_after = any(a.confirmed and a.start > outcome.killed for a in publisher.attempts)
        return now > outcome.killed + 30 or (now > outcome.killed + 4 and confirmed_after)

    threads = [
        threading.Thread(target=publish, args=(p, client, ",".join(starts[p.name]), urls, until))
        for p in outcome.publishers
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        outcome.killed = time.monotonic()
        node1.kill9()
    finally:
        for thread in threads:
            thread.join(60)
    quorum_done.set()
    with ThreadPoolExecutor(len(PROBES)) as pool:
        outcome.probes = dict(zip(PROBES, pool.map(lambda what: probe(node2.url, what), PROBES), strict=True))
    outcome.leader_after = leaders(cluster, via=1)[client.QUEUE]

    restarted = time.monotonic()
    cluster.restart(0)
    check = pika.BlockingConnection(pika.URLParameters(node2.url))
    try:
        eventually(lambda: check.channel().queue_declare(CLASSIC, passive=True), 120, interval=0.2,
                   what=f"{CLASSIC} back on {cluster.build.label}")  # fmt: skip
    finally:
        check.close()
    outcome.classic_back_after = time.monotonic() - restarted
    outcome.stored = Counter(drain(node2.url, client.QUEUE))
    outcome.classic_after = drain(node2.url, CLASSIC)
    return outcome


def drain(url: str, queue: str) -> list[bytes]:
    """Every body in `queue` (auto-ack), then the queue is deleted."""
    bodies = []
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=500)
        for method, _, body in channel.consume(queue, auto_ack=True, inactivity_timeout=3):
            if method is None:
                break
            bodies.append(body)
        channel.cancel()
        assert channel.queue_declare(queue, passive=True).method.message_count == 0
        channel.queue_delete(queue)
    return bodies


@pytest.fixture(scope="module")
def outcomes(rabbit_clusters) -> dict[str, Outcome]:
    newest, older = rabbit_clusters.get(*RABBITMQ_BUILDS)  # started at once
    quorum_done = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(run_kill, newest, quorum_done)
        quorum_done.wait(300)  # the newest's classic probes wait ~1 min: run the older meanwhile
        if first.done():
            first.result()  # failed before: raise its error
        second = run_kill(older, threading.Event())
        return {newest.build.name: first.result(), older.build.name: second}


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_no_confirmed_message_is_lost_when_the_leaders_node_is_killed(outcomes, build):
    outcome = outcomes[build.name]
    for publisher in outcome.publishers:
        assert publisher.crashed is None, f"publisher {publisher.name}: {publisher.crashed!r}"
        assert any(a.confirmed and a.start > outcome.killed for a in publisher.attempts), publisher.name
    confirmed = set().union(*(p.confirmed for p in outcome.publishers))
    assert confirmed and confirmed <= set(outcome.stored), sorted(confirmed - set(outcome.stored))[:10]
    attempted = {a.body for p in outcome.publishers for a in p.attempts}
    assert set(outcome.stored) <= attempted


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_a_surviving_node_leads_the_quorum_queue_and_the_other_publisher_never_failed(outcomes, build):
    outcome = outcomes[build.name]
    assert outcome.leader_before == "rabbit-1@localhost"
    assert outcome.leader_after in ("rabbit-2@localhost", "rabbit-3@localhost")
    on_leader, on_follower = outcome.publishers
    assert not any(a.confirmed is False for a in on_follower.attempts), on_follower.errors
    assert [a for a in on_leader.attempts if not a.confirmed], "the publisher on the killed node saw no failure"
    assert on_leader.reconnected_to in ("node 2", "node 3")


@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_a_classic_queue_on_the_killed_node_fails_until_the_node_is_back(outcomes, build):
    outcome = outcomes[build.name]
    for what in ("passive declare", "declare", "basic_get", "basic_consume"):
        result, _ = outcome.probes[what]
        assert result.startswith('ChannelClosedByBroker: (404, "NOT_FOUND - '), (what, result)
    assert outcome.probes["publish (confirm, mandatory)"][0] != "confirmed"  # refused: nacked or returned
    # back with what it held; nothing published while it was down, even where the broker confirmed it
    assert outcome.classic_after == [f"invoice {n}".encode() for n in range(5)]


def results_table(outcomes: dict[str, Outcome]) -> str:
    runs = [outcomes[build.name] for build in RABBITMQ_BUILDS]

    def row(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(o) for o in runs) + " |"

    def failed(p: Publisher) -> list[Attempt]:
        return [a for a in p.attempts if not a.confirmed]

    def gap(p: Publisher, o: Outcome) -> float:
        """Longest time without a confirm from the kill on (the last confirm before it to the first after)."""
        ends = [a.end for a in p.attempts if a.confirmed]
        before = max(e for e in ends if e <= o.killed)
        after = [e for e in ends if e > o.killed]
        return max(b - a for a, b in zip([before, *after], after, strict=False))  # consecutive pairs

    def raised(text: str | None):
        """How many of publisher A's errors were `text` (None: any other)."""
        return lambda o: str(
            sum(1 for e in o.publishers[a].errors if (e == text if text else e not in A_ERRORS.values()))
        )

    def probe_cell(what):
        return lambda o: f"{short(o.probes[what][0])} after {o.probes[what][1]:.2f} s"

    a, b = 0, 1
    lines = [
        "| Measured (one run each) | " + " | ".join(build.label for build in RABBITMQ_BUILDS) + " |",
        "|---|" + "---|" * len(runs),
        row("Leader of `guide.ha.orders` before → after the kill",
            lambda o: f"{node_number(o.leader_before)} → {node_number(o.leader_after)}"),
        row("Publisher A (node 1): failed attempts", lambda o: str(len(failed(o.publishers[a])))),
        *(row(f"↳ *{name}*", raised(text)) for name, text in A_ERRORS.items()),
        row("↳ any other error", raised(None)),
        row("↳ went on through", lambda o: o.publishers[a].reconnected_to or "-"),
        row("↳ longest time without a confirm", lambda o: f"{gap(o.publishers[a], o):.2f} s"),
        row("Publisher B (node 2): failed attempts", lambda o: str(len(failed(o.publishers[b])))),
        row("↳ longest time without a confirm", lambda o: f"{gap(o.publishers[b], o):.2f} s"),
        row("Messages confirmed (A + B)", lambda o: str(len(set().union(*(p.confirmed for p in o.publishers))))),
        row("Confirmed messages missing after the run",
            lambda o: str(len(set().union(*(p.confirmed for p in o.publishers)) - set(o.stored)))),
        row("Stored twice (a failed publish that was stored, then published again)",
            lambda o: str(sum(1 for n in o.stored.values() if n > 1))),
        *(row(f"Classic queue, node 1 down: {what}", probe_cell(what)) for what in PROBES),
        row("Classic queue answered again after the restart command", lambda o: f"{o.classic_back_after:.1f} s"),
        row("Classic queue's messages after the restart", lambda o: f"{len(o.classic_after)} (5 from before the kill)"),
    ]  # fmt: skip
    texts = [f"- *{name}*: `{text}`" for name, text in A_ERRORS.items()]
    for o in runs:
        by_text: dict[str, list[str]] = {}
        for what in PROBES:
            by_text.setdefault(o.cluster.documented(o.probes[what][0]), []).append(what)
        texts += [f"- {o.cluster.build.label}, {', '.join(whats)}: `{text}`" for text, whats in by_text.items()
                  if text != "confirmed"]  # fmt: skip
    return "\n".join([*lines, "", "The errors, as `type: str(exception)`:", "", *texts])


def node_number(name: str) -> str:
    """rabbit-2@localhost -> node 2"""
    return "node " + name.split("@")[0].rsplit("-", 1)[1]


def short(result: str) -> str:
    """A probe's result as the table shows it (the full texts are listed below the table)."""
    for prefix, shown in (("ChannelClosedByBroker: (404", "`404 NOT_FOUND`"), ("NackError", "nacked"),
                          ("UnroutableError", "returned as unroutable"), ("confirmed", "**confirmed**")):
        if result.startswith(prefix):
            return shown
    return f"`{result}`"


def test_results_on_the_page(outcomes, results):
    table = results_table(outcomes)
    print(table)
    results("rabbitmq/cluster_failover.md", table, vary=True)
