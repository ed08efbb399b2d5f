"""Call the task on whichever broker CELERY_BROKER_URL names; count how
often it ran, and see how long Redis keeps the result."""

from celery_broker_app import build_report, counter

counter.delete("report:1:runs")
result = build_report.delay(1, seconds=0.5)
print(result.get(timeout=30))
#> report 1 built
print("runs:", int(counter.get("report:1:runs")))
#> runs: 1

# the result backend keeps it under this key, for a day by default
# (result_expires): any process that knows the id can read it until then
ttl = counter.ttl(f"celery-task-meta-{result.id}")
print("kept for at most a day:", 0 < ttl <= 24 * 3600)
#> kept for at most a day: True
