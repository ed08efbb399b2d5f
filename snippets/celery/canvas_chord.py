"""chord: a group plus a callback that gets all the group's results."""

from canvas_tasks import app, mul, total
from celery import Celery, chord

sum_of_squares = chord((mul.s(n, n) for n in range(6)), total.s())
print(sum_of_squares.apply_async().get(timeout=10))
#> 55

# The callback must know when all members are done: that takes a
# result backend. An app without one refuses to start a chord.
no_backend = Celery("no_backend", broker=app.conf.broker_url)


@no_backend.task
def square(n: int) -> int:
    return n * n


try:
    chord((square.s(n) for n in range(6)), square.s()).apply_async()
except NotImplementedError as exc:
    print(str(exc).splitlines()[0])
    #> Starting chords requires a result backend to be configured.
