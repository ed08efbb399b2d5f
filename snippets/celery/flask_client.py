"""Drive the Flask app with its test client; a real worker runs the task."""

import time

from flask_app import flask_app

client = flask_app.test_client()
started = client.post("/greetings", json={"name": "Grace"})
print(started.status_code)
#> 202

task_id = started.json["task_id"]
status = {"state": "PENDING"}
deadline = time.monotonic() + 10
while status["state"] == "PENDING" and time.monotonic() < deadline:
    time.sleep(0.2)
    status = client.get(f"/greetings/{task_id}").json
print(status)  # the worker had current_app: the Flask app
#> {'result': 'flask_app greets Grace', 'state': 'SUCCESS'}
