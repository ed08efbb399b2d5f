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

print(httpx.get(f"{FLOWER_URL}/api/workers").status_code)  # no credentials
#> 401

task = add.delay(20, 22)
task.get(timeout=10)

# Flower learns about tasks from events: poll until it has this one.
deadline = time.monotonic() + 10
info = {}
while info.get("state") != "SUCCESS" and time.monotonic() < deadline:
    time.sleep(0.2)
    response = flower.get(f"/api/task/info/{task.id}")
    info = response.json() if response.status_code == 200 else {}
print(info["name"], info["state"], info["result"], info["args"])
#> monitoring_tasks.add SUCCESS 42 (20, 22)

workers = flower.get("/api/workers", params={"refresh": True}).json()
print(len(workers), [sorted(w["registered"]) for w in workers.values()])
#> 1 [['monitoring_tasks.add']]
tasks = flower.get("/api/tasks", params={"limit": 10}).json()
print(len(tasks), [task["state"] for task in tasks.values()])
#> 1 ['SUCCESS']
