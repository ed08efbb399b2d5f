"""reliable_tasks.py's app without reject_on_worker_lost (acks_late alone)."""

from reliable_tasks import app

app.conf.task_reject_on_worker_lost = False
