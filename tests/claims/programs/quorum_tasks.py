"""reliable_tasks.py's app on a quorum queue, with a topic exchange: what Celery 5.5+ needs for native
delayed delivery (countdown/eta parked in the broker, not held unacknowledged by the worker)."""

from reliable_tasks import app

app.conf.task_default_queue_type = "quorum"
app.conf.task_default_exchange_type = "topic"
