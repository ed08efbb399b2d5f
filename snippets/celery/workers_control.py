"""Remote control: revoke a task, change a rate limit, add a queue."""

from celery.exceptions import TaskRevokedError
from routing_tasks import app, send_receipt


def short(replies: list[dict]) -> list:
    """[{"default@host": reply}, ...] -> [("default", reply), ...]"""
    return sorted((k.split("@")[0], v) for r in replies for k, v in r.items())


# Revoke a task that has not run yet: every worker will skip it.
later = send_receipt.apply_async((2001,), countdown=3)
app.control.revoke(later.id)
try:
    later.get(timeout=10)
except TaskRevokedError:
    print("revoked:", later.state)
    #> revoked: REVOKED

# Commands for one worker: destination= takes full hostnames.
hosts = [k for r in app.control.ping(timeout=1.0) for k in r]
default = [h for h in hosts if h.startswith("default@")]
send = {"destination": default, "reply": True, "timeout": 2.0}

# At most 10 send_receipt tasks a minute on that worker, until restart;
# then no limit again.
task = "routing_tasks.send_receipt"
print(short(app.control.rate_limit(task, "10/m", **send)))
#> [('default', {'ok': 'new rate limit set successfully'})]
print(short(app.control.rate_limit(task, None, **send)))
#> [('default', {'ok': 'rate limit disabled successfully'})]

# Let it consume "images" too, then stop again.
print(short(app.control.add_consumer("images", **send)))
#> [('default', {'ok': 'add consumer images'})]
queues = app.control.inspect(destination=default).active_queues()
print(sorted(q["name"] for q in queues[default[0]]))
#> ['images', 'routing_tasks']
print(short(app.control.cancel_consumer("images", **send)))
#> [('default', {'ok': 'no longer consuming from images'})]
