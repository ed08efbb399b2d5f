"""Wrong arguments and unknown task names: where each error shows up."""

from calling_tasks import add, app
from celery.exceptions import NotRegistered

# Wrong arguments: checked when you call, before anything is sent.
try:
    add.delay(1)
except TypeError as exc:
    print(f"TypeError: {exc}")
    #> TypeError: add() missing 1 required positional argument: 'y'

# send_task() by name cannot check arguments: the worker's call fails.
by_name = app.send_task("calling_tasks.add", args=[1])
try:
    by_name.get(timeout=10)
except TypeError as exc:
    print(f"in the worker: TypeError: {exc}")
    '''
    in the worker: TypeError: add() missing 1 required positional argument: 'y'
    '''

# A name no worker knows: the worker rejects the message, marks a failure.
unknown = app.send_task("calling_tasks.no_such_task", args=[1])
try:
    unknown.get(timeout=10)
except NotRegistered as exc:
    print(f"NotRegistered: {exc}")
    #> NotRegistered: 'calling_tasks.no_such_task'
