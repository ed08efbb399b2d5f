"""reliable_tasks.py's app on a quorum queue, the exchange left at Celery's default (direct): native delayed
delivery does not apply, and the worker holds countdown tasks as on a classic queue."""

from reliable_tasks import app

app.conf.task_default_queue_type = "quorum"
