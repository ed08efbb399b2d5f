"""group: run tasks in parallel; results come back in call order."""

from canvas_tasks import mul
from celery import group

squares = group(mul.s(n, n) for n in range(6))
result = squares.apply_async()
print(type(result).__name__, len(result.results))
#> GroupResult 6
print(result.get(timeout=10))
#> [0, 1, 4, 9, 16, 25]
print(result.successful(), result.completed_count())
#> True 6
