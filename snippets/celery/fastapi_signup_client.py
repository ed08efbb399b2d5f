"""Sign up through the API; the worker sends the email in the background."""

import os
import time

import httpx

APP_URL = os.environ.get("APP_URL", "http://localhost:8000")

with httpx.Client(base_url=APP_URL, timeout=10) as client:
    response = client.post("/signup", json={"email": "ada@example.com"})
    print(response.status_code, response.json()["status"])
    #> 202 queued

    task_id = response.json()["task_id"]
    status = {"state": "PENDING"}
    deadline = time.monotonic() + 10
    while status["state"] == "PENDING" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get(f"/tasks/{task_id}").json()
    print(status)
    #> {'state': 'SUCCESS', 'result': 'sent to ada@example.com'}

    invalid = client.post("/signup", json={"email": "not-an-address"})
    print(invalid.status_code)  # rejected before anything is queued
    #> 422
