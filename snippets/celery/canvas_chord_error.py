"""A chord whose member fails: the callback never runs."""

from canvas_tasks import check_positive, total
from celery import chord

numbers = (check_positive.s(n) for n in (3, -1, 2))
result = chord(numbers, total.s()).apply_async()
try:
    result.get(timeout=10)
except ValueError as exc:  # get() raises the failed member's error
    print(f"{type(exc).__name__}: {exc}")
    #> ValueError: -1 is not positive

# What the backend stored for the callback: it was never run.
stored = result.get(timeout=10, propagate=False)
print(result.state, type(stored).__name__)
#> FAILURE ChordError
