"""The Redis vs RabbitMQ page's celery_broker_app with a short visibility_timeout (VISIBILITY_TIMEOUT seconds)."""

import os

from celery_broker_app import app

app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ["VISIBILITY_TIMEOUT"]),
    "unacked_restore_interval": 1,  # look for overdue messages every second
    "unacked_restore_throttle": 1,
}
