"""RabbitMQ with pika: publish rate by delivery mode and confirm style, connection reuse, and prefetch.

Runs on a private RabbitMQ node started here (tests/services/rabbitmq_node: own name, ports and data dir,
default configuration) of the generation asked for (--generation: 4.0 from the Debian 13 root, or 3.10),
never on the shared broker; the node and its data go at the end.
A publish counts when the broker holds the message: each case ends when a passive queue declare
reports all of them in the queue (with confirms, when the last confirm arrived; the count is then
already complete). Messages are 1,000 bytes into one durable classic queue, purged between cases.
"""

from __future__ import annotations

import statistics
import time

from common import Section, builds, log, parse_args

import pika
from services.procs import eventually
from services.rabbitmq_node import RabbitNode

QUEUE = "bench.publish"
BODY = b"x" * 1000
TRANSIENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Transient)
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
PUBLISH = "rabbitmq-publish"
CONNECT = "rabbitmq-connection"
CONSUME = "rabbitmq-consume"


def queue_depth(channel) -> int:
    return channel.queue_declare(QUEUE, passive=True).method.message_count


def wait_depth(channel, n: int) -> None:
    eventually(lambda: queue_depth(channel) >= n, 60, interval=0.002, what=f"{n} messages in {QUEUE}")


def fresh(params: pika.URLParameters) -> tuple[pika.BlockingConnection, object]:
    conn = pika.BlockingConnection(params)
    channel = conn.channel()
    channel.queue_declare(QUEUE, durable=True)
    channel.queue_purge(QUEUE)
    return conn, channel


def publish_blocking(params, n: int, props, confirm: bool) -> float:
    """BlockingConnection: without confirms basic_publish returns once written; with them, once acked."""
    conn, channel = fresh(params)
    if confirm:
        channel.confirm_delivery()
    started = time.perf_counter()
    for _ in range(n):
        channel.basic_publish("", QUEUE, BODY, props)
    wait_depth(channel, n)
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def publish_select(params, n: int, props, confirm_batch: int | None) -> float:
    """SelectConnection (pika's asynchronous adapter).

    confirm_batch=None: publish all n, no confirms. Otherwise publish `confirm_batch` messages, wait
    until the broker confirmed all of them (acks may cover several: `multiple`), repeat.
    """
    conn, channel = fresh(params)  # purge + depth checks on a blocking side channel
    state = {"published": 0, "unconfirmed": set(), "nacked": 0, "started": 0.0, "error": None}

    def on_open(connection):
        connection.channel(on_open_callback=on_channel)

    def on_channel(ch):
        state["ch"] = ch
        if confirm_batch:
            ch.confirm_delivery(on_confirm, callback=lambda _frame: publish(confirm_batch))
        else:
            publish(n)
            async_conn.close()  # goes out after the buffered messages

    def publish(count: int):
        if not state["started"]:
            state["started"] = time.perf_counter()
        ch = state["ch"]
        for _ in range(min(count, n - state["published"])):
            ch.basic_publish("", QUEUE, BODY, props)
            state["published"] += 1
            state["unconfirmed"].add(state["published"])  # delivery tags count from 1 per channel

    def on_confirm(frame):
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            state["nacked"] += 1
        tag = method.delivery_tag
        done = {t for t in state["unconfirmed"] if t <= tag} if method.multiple else {tag}
        state["unconfirmed"] -= done
        if state["unconfirmed"]:
            return
        if state["published"] < n:
            publish(confirm_batch)
        else:
            async_conn.close()

    def give_up():
        state["error"] = f"{len(state['unconfirmed'])} of {state['published']} published not confirmed after 60 s"
        async_conn.close()

    def on_open_error(_conn, exc):
        state["error"] = f"SelectConnection failed: {exc!r}"
        async_conn.ioloop.stop()

    async_conn = pika.SelectConnection(params, on_open_callback=on_open, on_open_error_callback=on_open_error,
                                       on_close_callback=lambda *_: async_conn.ioloop.stop())  # fmt: skip
    async_conn.ioloop.call_later(60, give_up)
    async_conn.ioloop.start()
    if state["error"] or state["nacked"]:
        raise RuntimeError(state["error"] or f"{state['nacked']} messages nacked")
    wait_depth(channel, n)  # with confirms already complete: the queue took each message before its ack
    seconds = time.perf_counter() - state["started"]
    conn.close()
    return seconds


def publish_connection_per_message(params, n: int) -> float:
    """The anti-pattern: open a connection and a channel for every message, publish, close."""
    conn, channel = fresh(params)
    started = time.perf_counter()
    for _ in range(n):
        with pika.BlockingConnection(params) as one:
            one.channel().basic_publish("", QUEUE, BODY, TRANSIENT)
    wait_depth(channel, n)
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def consume(params, n: int, prefetch: int) -> float:
    """Fill the queue with n messages, then consume and ack them one by one with basic_qos(prefetch)."""
    conn, channel = fresh(params)
    for _ in range(n):
        channel.basic_publish("", QUEUE, BODY, TRANSIENT)
    wait_depth(channel, n)
    channel.basic_qos(prefetch_count=prefetch)
    started = time.perf_counter()
    for got, (method, _props, _body) in enumerate(channel.consume(QUEUE, inactivity_timeout=10), start=1):
        if method is None:
            raise RuntimeError(f"consumer stalled after {got - 1} of {n} messages")
        channel.basic_ack(method.delivery_tag)
        if got == n:
            break
    seconds = time.perf_counter() - started
    channel.cancel()
    conn.close()
    return seconds


def main() -> None:
    args = parse_args(__doc__)
    n = 50 if args.tiny else 5000
    n_single_confirm = 50 if args.tiny else 1000
    n_conn = 10 if args.tiny else 200
    repeats = 1 if args.tiny else 3
    per = f"median of {repeats}" if repeats > 1 else "1 run"
    s = Section("rabbitmq", tiny=args.tiny, generation=args.generation)
    _, build = builds(args.generation)

    def median(fn, *fn_args) -> float:
        return statistics.median(fn(*fn_args) for _ in range(repeats))

    with RabbitNode(build=build) as node:
        params = pika.URLParameters(node.url)
        conn = pika.BlockingConnection(params)
        s.versions["RabbitMQ"] = str(conn._impl.server_properties["version"])
        s.versions["pika"] = pika.__version__
        conn.close()
        publish_blocking(params, min(n, 500), TRANSIENT, False)  # warm up

        for mode, props in (("transient", TRANSIENT), ("persistent", PERSISTENT)):
            log(f"publish {mode}")
            s.rate(f"rmq-{mode}", PUBLISH, f"{mode.capitalize()}, no confirms", n=n,
                   seconds=median(publish_blocking, params, n, props, False), unit="msg/s", note=per)  # fmt: skip
            s.rate(f"rmq-{mode}-confirm", PUBLISH, f"{mode.capitalize()}, confirm each message (BlockingChannel)",
                   n=n_single_confirm, seconds=median(publish_blocking, params, n_single_confirm, props, True),
                   unit="msg/s", note=per)  # fmt: skip
            s.rate(f"rmq-{mode}-select", PUBLISH, f"{mode.capitalize()}, no confirms (SelectConnection)",
                   n=n, seconds=median(publish_select, params, n, props, None), unit="msg/s", note=per)  # fmt: skip
            s.rate(f"rmq-{mode}-confirm-batch", PUBLISH,
                   f"{mode.capitalize()}, confirms per batch of 100 (SelectConnection)",
                   n=n, seconds=median(publish_select, params, n, props, 100), unit="msg/s", note=per)  # fmt: skip
        log("connection per message")
        s.rate("rmq-connection-per-message", CONNECT, "Transient, a new connection per message", n=n_conn,
               seconds=publish_connection_per_message(params, n_conn), unit="msg/s")  # fmt: skip
        s.rows["rmq-connection-per-message"].note = "1 run; open, channel, publish, close"
        s.rate("rmq-connection-reused", CONNECT, "Transient, one long-lived connection", n=n,
               seconds=median(publish_blocking, params, n, TRANSIENT, False), unit="msg/s", note=per)  # fmt: skip
        for prefetch in (1, 100):
            log(f"consume prefetch {prefetch}")
            s.rate(f"rmq-consume-prefetch-{prefetch}", CONSUME, f"Consume + ack each, prefetch {prefetch}", n=n,
                   seconds=median(consume, params, n, prefetch), unit="msg/s", note=per)  # fmt: skip

    s.compare("rmq-persistent", "rmq-transient", "{pct} of transient")
    s.compare("rmq-persistent-select", "rmq-transient-select", "{pct} of transient")
    for mode in ("transient", "persistent"):
        s.compare(f"rmq-{mode}-confirm", f"rmq-{mode}", "{pct} of no confirms")
        s.compare(f"rmq-{mode}-confirm-batch", f"rmq-{mode}-confirm", "{x} confirm each")
        s.compare(f"rmq-{mode}-select", f"rmq-{mode}", "{x} BlockingConnection, no confirms")
        s.compare(f"rmq-{mode}-confirm-batch", f"rmq-{mode}-select", "{pct} of SelectConnection, no confirms")
    s.compare("rmq-persistent-confirm", "rmq-transient-confirm", "{pct} of transient, confirm each")
    s.compare("rmq-connection-per-message", "rmq-connection-reused", "{pct} of one long-lived connection")
    s.compare("rmq-connection-reused", "rmq-connection-per-message", "{x} a connection per message")
    s.compare("rmq-consume-prefetch-100", "rmq-consume-prefetch-1", "{x} prefetch 1")
    s.dump(args.out)


if __name__ == "__main__":
    main()
