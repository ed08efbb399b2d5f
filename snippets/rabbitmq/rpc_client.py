"""RPC client: reply_to + correlation_id + exclusive queue, with a timeout."""

import os
import time
import uuid

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")


class RpcClient:
    def __init__(self, connection, server_queue):
        self.connection, self.server_queue = connection, server_queue
        self.channel = connection.channel()
        # Unroutable requests (no server queue at all) raise at once.
        self.channel.confirm_delivery()
        # Our private reply queue: server-named, gone when we disconnect.
        declared = self.channel.queue_declare("", exclusive=True)
        self.reply_queue = declared.method.queue
        self.channel.basic_consume(
            self.reply_queue, self._on_reply, auto_ack=True
        )
        self.replies = {}

    def _on_reply(self, _channel, _method, properties, body):
        self.replies[properties.correlation_id] = body

    def call(self, n, timeout=5.0):
        request_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange="",
            routing_key=self.server_queue,
            properties=pika.BasicProperties(
                reply_to=self.reply_queue,
                correlation_id=request_id,
                # nobody waits after the timeout: let the broker drop it
                expiration=str(int(timeout * 1000)),
            ),
            body=str(n).encode(),
            mandatory=True,
        )
        deadline = time.monotonic() + timeout
        while request_id not in self.replies:  # others' replies: ignored
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no reply to {request_id} in {timeout}s")
            self.connection.process_data_events(time_limit=remaining)
        return int(self.replies.pop(request_id))


connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
admin = connection.channel()
fibonacci = RpcClient(connection, "guide.rpc")  # rpc_server.py serves it
print("fib(10) =", fibonacci.call(10))
#> fib(10) = 55
print("fib(30) =", fibonacci.call(30))
#> fib(30) = 832040

# A queue that exists but whose server is down: the call times out.
admin.queue_declare("guide.rpc.standby", durable=True)
standby = RpcClient(connection, "guide.rpc.standby")
try:
    standby.call(5, timeout=1)
except TimeoutError:
    print("standby: timed out after 1 s")
    #> standby: timed out after 1 s

# No queue at all: mandatory=True + confirms turn it into an error.
try:
    RpcClient(connection, "guide.rpc.missing").call(5)
except pika.exceptions.UnroutableError:
    print("missing: unroutable, returned by the broker")
    #> missing: unroutable, returned by the broker

time.sleep(1.5)  # the expiration drops the stale request from the queue
waiting = admin.queue_declare("guide.rpc.standby", passive=True).method
print("stale requests left:", waiting.message_count)
#> stale requests left: 0
admin.queue_delete("guide.rpc.standby")
connection.close()
