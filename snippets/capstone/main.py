"""The FastAPI app: signup with a rate limit, cached reads, Sentry.

Run it from the folder that holds the capstone package:

    uvicorn capstone.main:app --port 8080
"""

import redis
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, EmailStr, Field

from . import cache, db, ratelimit
from .config import REDIS_URL, SIGNUP_LIMIT
from .monitoring import init_sentry
from .tasks import send_welcome_email

init_sentry()  # before the app exists, so the integrations see it all
app = FastAPI(title="capstone")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)


class Signup(BaseModel):
    email: EmailStr  # a malformed address is a 422, before our code runs
    name: str = Field(min_length=1, max_length=100)


class Rename(BaseModel):
    name: str = Field(min_length=1, max_length=100)


def signup_rate_limit(request: Request) -> None:
    """At most SIGNUP_LIMIT signups per client address per minute."""
    key = f"capstone:signups:{request.client.host}"
    allowed, retry_after = ratelimit.hit(r, key, SIGNUP_LIMIT, window=60)
    if not allowed:
        raise HTTPException(
            429,
            "too many signups, try again later",
            headers={"Retry-After": str(retry_after)},
        )


@app.post(
    "/signup", status_code=201, dependencies=[Depends(signup_rate_limit)]
)
def signup(body: Signup) -> dict:
    try:
        user = db.create_user(body.email, body.name)
    except db.EmailTaken:
        raise HTTPException(409, "email already registered") from None
    send_welcome_email.delay(user["id"])  # a message to RabbitMQ
    return user


@app.get("/users/{user_id}")
def read_user(user_id: int, response: Response) -> dict:
    user, source = cache.get_user(r, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    response.headers["X-Cache"] = source  # "hit" or "miss"
    return user


@app.patch("/users/{user_id}")
def rename_user(user_id: int, body: Rename) -> dict:
    user = db.rename_user(user_id, body.name)
    if user is None:
        raise HTTPException(404, "no such user")
    cache.invalidate(r, user_id)  # after the write, never before
    return user


@app.get("/sentry-debug")
def sentry_debug() -> None:
    """Fails on purpose: the client gets a 500, Sentry gets the error."""
    raise RuntimeError("sentry-debug: this route always fails")
