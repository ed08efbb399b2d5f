"""Retries are not reported; only a task's final failure is."""

from sentry_tasks import fetch_rates, sync_inventory

recovered = fetch_rates.delay(2)  # fails twice, then succeeds
print(recovered.get(timeout=10))
#> rates fetched after 2 retries

doomed = sync_inventory.delay("SKU-7")  # 1 run + 2 retries, all fail
doomed.get(timeout=10, propagate=False)
print(doomed.state, repr(doomed.result))
#> FAILURE ConnectionError('warehouse API timed out')
