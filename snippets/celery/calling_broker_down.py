"""A broker that is down: delay() fails within seconds, it does not hang."""

import time

from celery import Celery
from kombu.exceptions import OperationalError

# Nothing listens on port 1: this broker is "down".
app = Celery("down", broker="amqp://guest:guest@localhost:1//")
app.conf.broker_connection_timeout = 2  # seconds per connection attempt


@app.task
def add(x: int, y: int) -> int:
    return x + y


start = time.monotonic()
try:
    add.delay(2, 3)
except OperationalError as exc:
    print(f"{type(exc).__name__}: {exc}")
    #> OperationalError: [Errno 111] Connection refused
print("gave up within 10 s:", time.monotonic() - start < 10)
#> gave up within 10 s: True
