"""reliable_tasks.py's app on a Redis broker with a short visibility_timeout (VISIBILITY_TIMEOUT seconds)."""

import os

from reliable_tasks import app

app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ["VISIBILITY_TIMEOUT"]),
    "unacked_restore_interval": 1,  # sweep every second (default 10 s x throttle 10)
    "unacked_restore_throttle": 1,
}
