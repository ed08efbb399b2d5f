"""Settings, read once from environment variables.

The defaults match the repository's docker-compose.yml services as seen
from your machine (localhost); inside compose, the app and worker get
the service names instead (redis, rabbitmq, bugsink, mailpit).
"""

import os

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
SENTRY_DSN = os.environ.get(
    "SENTRY_DSN", "http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@localhost:9000/1"
)

# where welcome emails go: an SMTP server such as Mailpit
SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
SMTP_PORT = int(os.environ.get("SMTP_PORT", "1025"))
MAIL_FROM = os.environ.get("MAIL_FROM", "welcome@example.com")

# the SQLite file that holds the users (shared by app and worker)
DATABASE_PATH = os.environ.get("DATABASE_PATH", "capstone.sqlite3")

# seconds a cached user stays in Redis
USER_CACHE_TTL = int(os.environ.get("USER_CACHE_TTL", "60"))
# signups allowed per client address per minute
SIGNUP_LIMIT = int(os.environ.get("SIGNUP_LIMIT", "5"))
