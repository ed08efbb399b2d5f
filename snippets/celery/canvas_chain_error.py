"""A chain stops at the first failing task; later tasks never run."""

from canvas_tasks import add, check_positive, mul

workflow = add.s(2, -5) | check_positive.s() | mul.s(10)
result = workflow.apply_async()  # the AsyncResult of the LAST task
try:
    result.get(timeout=10)
except ValueError as exc:
    print(f"{type(exc).__name__}: {exc}")
    #> ValueError: -3 is not positive

# Walk back from the last task to the first: .parent links them.
states = []
node = result
while node is not None:
    states.append(node.state)
    node = node.parent
print(list(reversed(states)))
#> ['SUCCESS', 'FAILURE', 'FAILURE']
