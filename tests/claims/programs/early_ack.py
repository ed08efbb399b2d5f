"""reliable_tasks.py's app with one setting switched back to Celery's default: ack when the task starts."""

from reliable_tasks import app

app.conf.task_acks_late = False
