"""proj/celery.py: the Celery app of the Django project "proj".

From the folder that holds manage.py (here: django_site/):

    celery -A proj worker --pool threads --loglevel INFO
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

app = Celery("proj")
# Every setting named CELERY_* in settings.py, e.g. CELERY_BROKER_URL
app.config_from_object("django.conf:settings", namespace="CELERY")
# Load tasks.py of every app in INSTALLED_APPS
app.autodiscover_tasks()
