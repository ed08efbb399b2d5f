"""Listen to task events: what monitoring tools are built on."""

from monitoring_tasks import add, app

seen: list[dict] = []


def on_event(event: dict) -> None:
    if event["type"] == "worker-heartbeat" and not seen:
        seen.append(event)
        add.delay(2, 3)  # we are listening now: send a task
    elif event["type"].startswith("task-"):
        seen.append(event)
        if event["type"] == "task-succeeded":
            receiver.should_stop = True  # ends capture()


with app.connection() as connection:
    receiver = app.events.Receiver(connection, handlers={"*": on_event})
    # wakeup=True asks the workers for a heartbeat as soon as we listen
    receiver.capture(limit=None, timeout=10, wakeup=True)

# from the caller (task-sent) and the worker (the others)
print(sorted(e["type"] for e in seen if e["type"].startswith("task-")))
#> ['task-received', 'task-sent', 'task-started', 'task-succeeded']
done = seen[-1]
print(done["result"], "runtime under 1 s:", done["runtime"] < 1)
#> 5 runtime under 1 s: True
