"""Listen to task events: what monitoring tools are built on."""

from monitoring_tasks import add, app

TASK_EVENTS = {"task-sent", "task-received", "task-started", "task-succeeded"}
heard_worker = False
events: dict[str, dict] = {}  # the last event of each task type


def on_event(event: dict) -> None:
    global heard_worker
    if event["type"] == "worker-heartbeat" and not heard_worker:
        heard_worker = True
        add.delay(2, 3)  # we are listening now: send a task
    elif event["type"] in TASK_EVENTS:
        events[event["type"]] = event
        # the caller and the worker send on their own connections, so
        # task-sent may arrive after task-succeeded: wait for all four
        if events.keys() == TASK_EVENTS:
            receiver.should_stop = True  # ends capture()


with app.connection() as connection:
    receiver = app.events.Receiver(connection, handlers={"*": on_event})
    # wakeup=True asks the workers for a heartbeat as soon as we listen
    receiver.capture(limit=None, timeout=10, wakeup=True)

# from the caller (task-sent) and the worker (the others)
print(sorted(events))
#> ['task-received', 'task-sent', 'task-started', 'task-succeeded']
done = events["task-succeeded"]
print(done["result"], "runtime under 1 s:", done["runtime"] < 1)
#> 5 runtime under 1 s: True
