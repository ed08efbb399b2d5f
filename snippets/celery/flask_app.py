"""Flask + Celery: the app factory creates both; tasks run in app context.

    celery -A flask_app.celery_app worker --pool threads --loglevel INFO
"""

import os

from celery import Celery, Task, shared_task
from flask import Flask, current_app, request

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():  # current_app, config, extensions
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["CELERY"] = {
        "broker_url": AMQP_URL,
        "result_backend": REDIS_URL,
        "task_default_queue": "flask_app",  # its own queue, not "celery"
    }
    celery_init_app(app)

    @app.post("/greetings")
    def start_greeting() -> tuple[dict, int]:
        task = greet.delay(request.json["name"])
        return {"task_id": task.id}, 202

    @app.get("/greetings/<task_id>")
    def greeting_status(task_id: str) -> dict:
        result = greet.AsyncResult(task_id)
        if result.failed():  # result.result is the exception: not JSON
            error = type(result.result).__name__
            return {"state": result.state, "error": error}
        return {"state": result.state, "result": result.result}

    return app


@shared_task  # bound to whichever Celery app is the default: ours
def greet(name: str) -> str:
    return f"{current_app.name} greets {name}"


flask_app = create_app()
celery_app = flask_app.extensions["celery"]
