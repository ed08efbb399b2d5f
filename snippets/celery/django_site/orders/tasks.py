"""orders/tasks.py: found by autodiscover_tasks(); bound to proj's app."""

from celery import shared_task
from django.conf import settings


@shared_task
def confirm_order(order_id: int) -> str:
    # A task runs with Django set up: settings, ORM, templates, ...
    return f"order {order_id} confirmed (TIME_ZONE={settings.TIME_ZONE})"
