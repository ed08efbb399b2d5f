"""A task fails in the worker: the worker's SDK reports it."""

from sentry_tasks import charge_card

result = charge_card.delay(7731)
result.get(timeout=10, propagate=False)  # wait, but do not re-raise here
print(result.state, repr(result.result))
#> FAILURE ValueError('card declined for order 7731')
