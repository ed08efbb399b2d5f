"""PENDING means "no record yet": also for ids that never existed."""

from calling_tasks import add, app
from celery.exceptions import TimeoutError

made_up = app.AsyncResult("5b7c4a4e-0000-4000-8000-000000000000")
print(made_up.state)  # no task ever had this id
#> PENDING

# Sent to a queue no worker consumes: also PENDING, for as long as it waits.
waiting = add.apply_async((1, 2), queue="nobody-listens")
print(waiting.state)
#> PENDING
try:
    waiting.get(timeout=2)  # without timeout= this would wait forever
except TimeoutError as exc:
    print(f"{type(exc).__name__}: {exc}")
    #> TimeoutError: The operation timed out.
