"""channel_retry.py's app, and running `acks_late` tasks cancelled when the connection is lost
(`worker_cancel_long_running_tasks_on_connection_loss`, False until Celery 6.0): their message comes back
anyway, so the copy that runs on is not left to run a second time alongside."""

from channel_retry import app

app.conf.worker_cancel_long_running_tasks_on_connection_loss = True
