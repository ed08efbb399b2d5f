"""ACL users: a login that may only read report:* keys."""

import os

import redis
from redis.exceptions import NoPermissionError

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
admin = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# ACL SETUSER report-reader on >PASSWORD ~report:* +get +ping
admin.acl_setuser(
    "report-reader",
    enabled=True,
    passwords=["+read-only-pw-9f3c"],
    keys=["report:*"],
    commands=["+get", "+ping"],
)
admin.set("report:daily", "42 orders")
admin.set("user:1:email", "ann@example.com")

reader = redis.Redis.from_url(
    REDIS_URL,
    username="report-reader",
    password="read-only-pw-9f3c",
    decode_responses=True,
)
print(reader.get("report:daily"))
#> 42 orders


def refused(command):
    """Run `command`; return the server's NoPermissionError text."""
    try:
        command()
    except NoPermissionError as exc:
        return str(exc)
    return "allowed"


print(refused(lambda: reader.set("report:daily", "0 orders")))
#> User report-reader has no permissions to run the 'set' command
print(refused(lambda: reader.get("user:1:email")))  # not under report:*
#> No permissions to access a key
print(refused(reader.flushall))
#> User report-reader has no permissions to run the 'flushall' command

admin.acl_deluser("report-reader")
admin.delete("report:daily", "user:1:email")
