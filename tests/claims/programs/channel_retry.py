"""reliable_tasks.py's app with `broker_channel_error_retry`: a channel the
broker closes counts as a lost connection (reconnect) instead of an unrecoverable error (exit)."""

from reliable_tasks import app

app.conf.broker_channel_error_retry = True
