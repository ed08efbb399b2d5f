"""delay() is apply_async() without options; options need apply_async()."""

from calling_tasks import add, where

results = [
    add.delay(2, 3),  # positional and keyword arguments as usual
    add.apply_async((2, 3)),  # args as a tuple, kwargs as a dict
    add.apply_async(kwargs={"x": 2, "y": 3}),
]
print([r.get(timeout=10) for r in results])
#> [5, 5, 5]

# Options only apply_async() takes: here a queue and a message priority.
delivery = where.apply_async(queue="urgent", priority=9)
print(delivery.get(timeout=10))
#> {'queue': 'urgent', 'priority': 9}
