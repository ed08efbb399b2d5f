"""reliable_tasks.py's app with its queue declared with a timeout of its own: `x-consumer-timeout` (ms).

RabbitMQ 4.0 honours the argument; 3.10 ignores it (tests/claims/test_celery_consumer_timeout.py).
The queue must be declared with it from the start: a queue's arguments cannot change later.
"""

import os

from kombu import Queue
from reliable_tasks import app

TIMEOUT_MS = int(os.environ["QUEUE_TIMEOUT_MS"])
app.conf.task_queues = [Queue("reliable_tasks", queue_arguments={"x-consumer-timeout": TIMEOUT_MS})]
