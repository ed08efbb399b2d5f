"""orders: a Django app; its tasks.py holds its Celery tasks."""
