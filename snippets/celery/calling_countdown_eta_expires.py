"""countdown and eta delay a task; expires drops it when it comes too late."""

import time
from datetime import UTC, datetime, timedelta

from calling_tasks import add
from celery.exceptions import TaskRevokedError

start = time.monotonic()
later = add.apply_async((1, 1), countdown=2)  # run 2 s from now
print(later.get(timeout=10), "after", round(time.monotonic() - start), "s")
#> 2 after 2 s

start = time.monotonic()
at = datetime.now(UTC) + timedelta(seconds=1)
timed = add.apply_async((2, 2), eta=at)  # run at a given time (aware!)
print(timed.get(timeout=10), "after", round(time.monotonic() - start), "s")
#> 4 after 1 s

# Due in 2 s but only valid for 1 s: the worker revokes it instead.
stale = add.apply_async((3, 3), countdown=2, expires=1)
try:
    stale.get(timeout=10)
except TaskRevokedError as exc:
    print(type(exc).__name__, stale.state)
    #> TaskRevokedError REVOKED
