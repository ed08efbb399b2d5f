"""The welcome email: sent by a worker, not inside the web request.

    celery -A email_tasks worker --pool threads --loglevel INFO
"""

import os
import smtplib
from email.message import EmailMessage

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
SMTP_PORT = int(os.environ.get("SMTP_PORT", "1025"))

app = Celery("email_tasks", broker=AMQP_URL, backend=REDIS_URL)
app.conf.task_default_queue = "email_tasks"  # its own queue, not "celery"

# Worth a retry: the server was down, slow or hung up. Not worth one: a
# 5xx answer such as "550 User unknown" (smtplib's errors are OSErrors too,
# so autoretry_for=(OSError,) would retry those 5 times as well).
TRANSIENT = (
    ConnectionError,  # refused, reset
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)


@app.task(
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def send_welcome_email(address: str) -> str:
    message = EmailMessage()
    message["From"] = "welcome@example.com"
    message["To"] = address
    message["Subject"] = "Welcome aboard"
    message.set_content("Thanks for signing up.")
    with smtplib.SMTP(SMTP_HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(message)
    return f"sent to {address}"
