"""Call the task on whichever broker CELERY_BROKER_URL names; count how
often it ran."""

from celery_broker_app import build_report, counter

counter.delete("report:1:runs")
result = build_report.delay(1, seconds=0.5)
print(result.get(timeout=30))
#> report 1 built
print("runs:", int(counter.get("report:1:runs")))
#> runs: 1
