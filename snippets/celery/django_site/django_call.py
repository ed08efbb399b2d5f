"""Call a Django project's task from a script (a view would do the same)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
django.setup()  # imports proj, and so proj/celery.py

from orders.tasks import confirm_order  # noqa: E402 (after setup)

result = confirm_order.delay(7)
print(result.get(timeout=10))
#> order 7 confirmed (TIME_ZONE=UTC)
print(type(confirm_order.app).__name__, confirm_order.app.main)
#> Celery proj
# In a Django project tasks also have delay_on_commit() (Celery 5.4+)
print(hasattr(confirm_order, "delay_on_commit"))
#> True
