"""Ask the running workers what they consume, how many tasks they run."""

from socket import gethostname

from routing_tasks import app

# Every worker on the broker answers, whatever its app: ask these two only
# (their -n names; %h is the hostname).
nodes = [f"default@{gethostname()}", f"images@{gethostname()}"]
inspect = app.control.inspect(destination=nodes, timeout=1.0)  # wait 1 s


def short(hostname: str) -> str:
    return hostname.split("@")[0]  # "images@host" -> "images"


replies = app.control.ping(destination=nodes, timeout=1.0)  # [{node: reply}]
for name, reply in sorted(pair for r in replies for pair in r.items()):
    print(short(name), reply)
    #> default {'ok': 'pong'}
    #> images {'ok': 'pong'}
for name, queues in sorted(inspect.active_queues().items()):
    print(short(name), "consumes", [queue["name"] for queue in queues])
    #> default consumes ['routing_tasks']
    #> images consumes ['images']
for name, stats in sorted(inspect.stats().items()):
    processes = stats["pool"]["max-concurrency"]  # -c / --concurrency
    print(short(name), processes, "at once, prefetch", stats["prefetch_count"])
    #> default 2 at once, prefetch 2
    #> images 2 at once, prefetch 2
for name, tasks in sorted(inspect.registered().items()):
    print(short(name), tasks)
    #> default ['routing_tasks.resize_image', 'routing_tasks.send_receipt']
    #> images ['routing_tasks.resize_image', 'routing_tasks.send_receipt']
