"""A pickle message sent to a JSON-only worker is refused, never run."""

from celery.exceptions import TimeoutError
from serialization_tasks import describe

# The client may encode with pickle; the worker decides what it accepts.
sent = describe.apply_async(("hello",), serializer="pickle")
try:
    sent.get(timeout=3)
except TimeoutError:
    print("no result:", sent.state)  # the worker dropped the message
    #> no result: PENDING

# The same call as JSON works.
print(describe.apply_async(("hello",), serializer="json").get(timeout=10))
#> str hello
