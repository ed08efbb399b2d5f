"""autoretry_for + retry_backoff: retries with growing waits, then gives up."""

from itertools import pairwise

from retry_tasks import fetch_rates, store

store.delete("attempts:rates")
result = fetch_rates.delay("rates")
try:
    result.get(timeout=20)
except ConnectionError as exc:
    print(f"{type(exc).__name__}: {exc}")
    #> ConnectionError: rates API down

stamps = [float(t) for t in store.lrange("attempts:rates", 0, -1)]
print("attempts:", len(stamps), "final state:", result.state)
#> attempts: 3 final state: FAILURE
waits = [round(later - earlier) for earlier, later in pairwise(stamps)]
print("seconds between attempts:", waits)
#> seconds between attempts: [1, 2]
