"""Watch a task's state change: PENDING, STARTED, RETRY, SUCCESS, FAILURE."""

import time

from calling_tasks import fail, retry_once, slow_add


def states(result, timeout: float = 10.0) -> list[str]:
    """Poll the result backend and list each state the task passes."""
    seen = [result.state]
    deadline = time.monotonic() + timeout
    while not result.ready() and time.monotonic() < deadline:
        time.sleep(0.05)
        if result.state != seen[-1]:
            seen.append(result.state)
    if result.state != seen[-1]:
        seen.append(result.state)
    return seen


# countdown=1: our first look surely comes before the worker starts it
print(states(slow_add.apply_async((2, 3), countdown=1)))
#> ['PENDING', 'STARTED', 'SUCCESS']
print(states(retry_once.apply_async(countdown=1)))
#> ['PENDING', 'STARTED', 'RETRY', 'STARTED', 'SUCCESS']

failed = fail.delay("bad input")
try:
    failed.get(timeout=10)  # re-raises the task's exception here
except ValueError as exc:
    print(f"{type(exc).__name__}: {exc}")
    #> ValueError: bad input
print(failed.state, failed.traceback.splitlines()[0])
#> FAILURE Traceback (most recent call last):
print(repr(failed.get(timeout=10, propagate=False)))  # return, not raise
#> ValueError('bad input')
