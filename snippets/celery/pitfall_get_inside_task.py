"""Waiting for a task inside a task: a real worker refuses."""

from testing_tasks import sum_of_sums

try:
    sum_of_sums.delay([[1, 2], [3, 4]]).get(timeout=10)
except RuntimeError as exc:
    print(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    #> RuntimeError: Never call result.get() within a task!
