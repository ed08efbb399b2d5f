"""Send a task to the worker through RabbitMQ and read its result from Redis."""

from tasks import add

result = add.delay(2, 3)  # returns at once with an AsyncResult
print(result.get(timeout=10))  # blocks until the worker has stored the result
#> 5
print(result.state)
#> SUCCESS
