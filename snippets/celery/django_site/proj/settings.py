"""proj/settings.py: the parts of a Django settings file Celery reads."""

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "only-for-local-development")
INSTALLED_APPS = ["orders"]
USE_TZ = True
TIME_ZONE = "UTC"

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

CELERY_BROKER_URL = AMQP_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = "proj"  # its own queue, not "celery"
CELERY_TASK_ACKS_LATE = True  # any Celery setting, upper case + CELERY_
