"""Confirmed publishes to a quorum queue on a 3-node cluster; when the node
we are connected to dies, carry on through the next one."""

import os

import pika

# one URL per node of the cluster (servers/cluster.txt starts three)
AMQP_CLUSTER_URLS = os.environ.get(
    "AMQP_CLUSTER_URLS",
    "amqp://guest:guest@localhost:5681/%2F,"
    "amqp://guest:guest@localhost:5682/%2F,"
    "amqp://guest:guest@localhost:5683/%2F",
)
QUEUE = "guide.ha.orders"
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)


class ClusterPublisher:
    """Publishes with confirms; on a lost connection, tries the next node."""

    def __init__(self, urls=AMQP_CLUSTER_URLS):
        self.urls = urls.split(",")
        self.tries = 0  # connection attempts, over the nodes in turn
        self.failed = 0  # publishes that raised: maybe stored, not confirmed
        self.errors = []  # what each failure said
        self.connection = None
        self.connect()

    def connect(self):
        if self.connection and self.connection.is_open:
            self.connection.close()  # e.g. after a nack: start afresh
        for _ in self.urls:
            self.node = self.tries % len(self.urls)  # 0, 1, 2, 0, ...
            self.tries += 1
            try:
                params = pika.URLParameters(self.urls[self.node])
                self.connection = pika.BlockingConnection(params)
            except pika.exceptions.AMQPConnectionError as exc:
                self.errors.append(f"connect: {type(exc).__name__}")
                continue
            self.channel = self.connection.channel()
            self.channel.confirm_delivery()
            self.channel.queue_declare(
                QUEUE, durable=True, arguments={"x-queue-type": "quorum"}
            )
            return
        raise pika.exceptions.AMQPConnectionError("no node answered")

    def publish(self, body):
        """True once confirmed (a majority of replicas has it), else False:
        the message may or may not be stored; publish it again."""
        try:
            self.channel.basic_publish(
                "", QUEUE, body, properties=PERSISTENT, mandatory=True
            )
            return True
        except pika.exceptions.AMQPError as exc:  # connection or channel
            self.failed += 1
            self.errors.append(f"{type(exc).__name__}: {exc}")
        self.connect()
        return False


if __name__ == "__main__":
    publisher = ClusterPublisher()
    print("connected to node", publisher.node + 1)
    #> connected to node 1
    for number in range(200):
        while not publisher.publish(f"order {number}".encode()):
            pass  # at least once: a retried message can arrive twice
    print("confirmed 200, failed attempts:", publisher.failed)
    #> confirmed 200, failed attempts: 0
    stored = publisher.channel.queue_declare(QUEUE, passive=True).method
    print(QUEUE, "holds", stored.message_count)
    #> guide.ha.orders holds 200
    publisher.channel.queue_delete(QUEUE)
    publisher.connection.close()
