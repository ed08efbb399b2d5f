"""A worker inside the test process: real broker, real worker code."""

from celery.contrib.testing.worker import start_worker
from celery.exceptions import TimeoutError
from testing_tasks import add, app

# start_worker() pings the new worker with this module's ping task
app.loader.import_module("celery.contrib.testing.tasks")

with start_worker(app, pool="threads", concurrency=2):
    result = add.delay(2, 3)
    print(result.get(timeout=10), app.AsyncResult(result.id).state)
    #> 5 SUCCESS

    try:  # routing is real: nobody consumes this queue
        add.apply_async((2, 3), queue="nobody-listens").get(timeout=1)
    except TimeoutError:
        print("no worker for queue 'nobody-listens'")
        #> no worker for queue 'nobody-listens'

print("worker stopped")
#> worker stopped
