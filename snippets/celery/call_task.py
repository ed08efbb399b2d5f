"""Send a task through RabbitMQ to a worker; read its result from Redis."""

from tasks import add

result = add.delay(2, 3)  # returns at once with an AsyncResult
print(result.get(timeout=10))  # waits until the worker stored the result
#> 5
print(result.state)
#> SUCCESS
