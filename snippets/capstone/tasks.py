"""The Celery app (broker: RabbitMQ) and its one task: a welcome email.

Start a worker from the folder that holds the capstone package:

    celery -A capstone.tasks worker --pool threads --loglevel INFO
"""

import smtplib
from email.message import EmailMessage

from celery import Celery, signals

from . import db
from .config import AMQP_URL, MAIL_FROM, SMTP_HOST, SMTP_PORT
from .monitoring import init_sentry

app = Celery("capstone", broker=AMQP_URL)
# its own queue: workers of other apps on the same broker never see it
app.conf.task_default_queue = "capstone"


@signals.celeryd_init.connect
def init_sentry_in_worker(**_kwargs) -> None:
    """Set Sentry up as the worker starts (the web app does its own)."""
    init_sentry()


# Retry what a retry can fix (the mail server down, slow, hanging up);
# a 5xx answer or a missing user fails at once (smtplib's errors are all
# OSErrors: autoretry_for=(OSError,) would retry those too).
TRANSIENT = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)


@app.task(
    autoretry_for=TRANSIENT,
    retry_backoff=True,  # 1 s, 2 s, 4 s, ... (with jitter)
    max_retries=8,  # waits of at most 255 s in all
    acks_late=True,  # a worker killed mid-send: the task runs again
)
def send_welcome_email(user_id: int) -> None:
    user = db.get_user(user_id)
    if user is None:
        raise LookupError(f"no user with id {user_id}")
    msg = EmailMessage()
    msg["From"] = MAIL_FROM
    msg["To"] = user["email"]
    msg["Subject"] = f"Welcome, {user['name']}!"
    msg.set_content(f"Hi {user['name']},\n\nthanks for signing up.\n")
    with smtplib.SMTP(SMTP_HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(msg)
