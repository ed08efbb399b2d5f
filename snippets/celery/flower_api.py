"""Ask Flower (the web monitor) about workers and tasks over its API."""

import os
import time

import httpx
from monitoring_tasks import add

FLOWER_URL = os.environ.get("FLOWER_URL", "http://localhost:5555")
AUTH = os.environ.get("FLOWER_BASIC_AUTH", "admin:change-me")  # user:password
flower = httpx.Client(
    base_url=FLOWER_URL, auth=tuple(AUTH.split(":", 1)), timeout=10
)


def poll(path: str, ready, **params) -> dict:
    """GET path until ready(json) is true: Flower learns things from events
    and inspect replies, a moment after they happen."""
    deadline = time.monotonic() + 15
    while True:
        response = flower.get(path, params=params)
        if response.status_code == 200 and ready(response.json()):
            return response.json()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path}: {response.status_code}")
        time.sleep(0.2)


print(httpx.get(f"{FLOWER_URL}/api/workers").status_code)  # no credentials
#> 401

task = add.delay(20, 22)
task.get(timeout=10)

info = poll(f"/api/task/info/{task.id}", lambda t: t["state"] == "SUCCESS")
print(info["name"], info["state"], info["result"], info["args"])
#> monitoring_tasks.add SUCCESS 42 (20, 22)

workers = poll(
    "/api/workers",
    lambda ws: ws and all("registered" in w for w in ws.values()),
    refresh=True,
)
print(len(workers), [sorted(w["registered"]) for w in workers.values()])
#> 1 [['monitoring_tasks.add']]
tasks = flower.get("/api/tasks", params={"limit": 10}).json()
print(len(tasks), [task["state"] for task in tasks.values()])
#> 1 ['SUCCESS']
