"""POST /signup answers at once; the welcome email goes through Celery.

    uvicorn fastapi_signup:api --port 8000
"""

from email_tasks import send_welcome_email
from fastapi import FastAPI
from pydantic import BaseModel, EmailStr

api = FastAPI()


class Signup(BaseModel):
    email: EmailStr  # FastAPI answers 422 for anything else


@api.post("/signup", status_code=202)
def signup(body: Signup) -> dict:
    # ... store the new user here, then hand the slow part to a worker:
    task = send_welcome_email.delay(body.email)
    return {"status": "queued", "task_id": task.id}


@api.get("/tasks/{task_id}")
def task_status(task_id: str) -> dict:
    result = send_welcome_email.AsyncResult(task_id)
    if result.failed():  # result.result is the exception: not JSON
        return {"state": result.state, "error": type(result.result).__name__}
    # PENDING also means "no such id" (or a result that expired)
    return {"state": result.state, "result": result.result}
