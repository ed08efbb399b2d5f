"""A soft time limit lets the task clean up; a hard one kills it."""

from celery.exceptions import TimeLimitExceeded
from time_limit_tasks import render_report, stuck

print(render_report.delay(0.1).get(timeout=10))
#> report complete
print(render_report.delay(5).get(timeout=10))  # soft limit is 1 s
#> stopped at the soft limit, partial report saved

hung = stuck.delay(5)  # hard limit is 1 s
try:
    hung.get(timeout=10)
except TimeLimitExceeded as exc:
    print(type(exc).__name__, "after", exc.args[0], "s")
    #> TimeLimitExceeded after 1 s
print(hung.state)
#> FAILURE

# The worker replaced the killed process: the next task runs normally.
print(stuck.delay(0.1).get(timeout=10))
#> finished
