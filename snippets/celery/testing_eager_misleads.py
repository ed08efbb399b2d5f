"""task_always_eager runs tasks in the caller, with no broker and no worker:
what a real worker would do differently goes unnoticed."""

import time

from testing_tasks import add, app

app.conf.task_always_eager = True  # what many test setups do

start = time.monotonic()
# In 60 s, on a queue no worker consumes: eager mode runs it right away.
result = add.apply_async((2, 3), countdown=60, queue="nobody-listens")
elapsed = round(time.monotonic() - start)
print(type(result).__name__, result.get(), "after", elapsed, "s")
#> EagerResult 5 after 0 s

# A status endpoint looks results up by id: eager results are not stored.
print(app.AsyncResult(result.id).state)
#> PENDING
