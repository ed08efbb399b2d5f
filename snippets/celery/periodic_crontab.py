"""When does crontab(hour=7, minute=30) fire? In the app's timezone."""

from datetime import UTC, datetime

from celery import Celery
from celery.schedules import crontab

now = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)  # a Friday, 12:00 UTC

for zone in ("UTC", "Europe/Berlin", "America/New_York"):
    app = Celery(set_as_current=False)
    app.conf.timezone = zone  # what app.conf.timezone = ... does
    morning = crontab(
        hour=7, minute=30, day_of_week="mon-fri", app=app, nowfun=lambda: now
    )
    next_run = now + morning.remaining_estimate(last_run_at=now)
    print(f"{zone:16} next run {next_run:%a %H:%M} UTC")
    #> UTC              next run Mon 07:30 UTC
    #> Europe/Berlin    next run Mon 06:30 UTC
    #> America/New_York next run Fri 12:30 UTC
