"""chain: each task's result becomes the first argument of the next."""

from canvas_tasks import add, mul
from celery import chain

# add(2, 2) -> mul(4, 10) -> add(40, 2): signatures (.s) are "calls to make"
workflow = chain(add.s(2, 2), mul.s(10), add.s(2))
print(workflow.apply_async().get(timeout=10))
#> 42

# The | operator builds the same chain.
print((add.s(2, 2) | mul.s(10) | add.s(2))().get(timeout=10))
#> 42

# .si() is immutable: it ignores the previous result.
print((add.s(1, 1) | add.si(100, 1))().get(timeout=10))
#> 101
