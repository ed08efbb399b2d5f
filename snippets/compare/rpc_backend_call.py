"""The rpc:// result backend: the result is a message sent back to the
client that called the task; nobody else can read it."""

import os

from celery import Celery
from rpc_backend_tasks import add

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")

result = add.delay(2, 3)
print(result.get(timeout=10))
#> 5

# another client (another process, say) asks for the same task id
other = Celery("other", broker=AMQP_URL, backend="rpc://")
print(other.AsyncResult(result.id).state)
#> PENDING
other.close()
