"""task_routes sends each task to its queue; -Q decides who consumes it."""

from routing_tasks import resize_image, send_receipt

calls = [
    resize_image.delay("cat.png"),
    send_receipt.delay(1001),
    resize_image.delay("dog.png"),
    send_receipt.delay(1002),
    # a route is a default: apply_async(queue=...) overrides it
    send_receipt.apply_async((1003,), queue="images"),
]
for call in calls:
    print(call.get(timeout=10))
    #> cat.png resized by images
    #> receipt 1001 sent by default
    #> dog.png resized by images
    #> receipt 1002 sent by default
    #> receipt 1003 sent by images
