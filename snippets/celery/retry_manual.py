"""bind=True + self.retry(): a flaky task, its attempts and final states."""

from retry_tasks import charge, store

store.delete("attempts:order-1", "attempts:order-2")

# Fails twice, then succeeds: 3 attempts, state SUCCESS.
ok = charge.delay("order-1", fail_times=2)
print(ok.get(timeout=10))
#> charged order-1 on attempt 3
print(ok.state, store.llen("attempts:order-1"))
#> SUCCESS 3

# Never succeeds: 1 attempt + max_retries=3 retries, then FAILURE.
doomed = charge.delay("order-2", fail_times=99)
try:
    doomed.get(timeout=10)
except ConnectionError as exc:
    print(f"{type(exc).__name__}: {exc}")
    #> ConnectionError: payment gateway unreachable
print(doomed.state, store.llen("attempts:order-2"))
#> FAILURE 4
