"""Call two tasks: each call is a message; a worker runs it, Redis has it."""

from tasks import add, count_words

result = add.delay(2, 3)  # returns at once: the task has not run yet
print(type(result).__name__, len(result.id))
#> AsyncResult 36
print(result.get(timeout=10))  # wait for the worker, at most 10 s
#> 5
print(result.state)
#> SUCCESS

words = count_words.delay("a worker ran this")
print(words.get(timeout=10))
#> 4
