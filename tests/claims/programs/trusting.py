"""serialization_tasks.py's app, made to accept pickle: what the Serialization page warns against."""

from serialization_tasks import app

app.conf.accept_content = ["json", "pickle"]
