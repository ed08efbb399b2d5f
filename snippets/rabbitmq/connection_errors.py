"""Wrong password, wrong vhost, closed port: how each one fails in pika."""

import os
import socket
import textwrap
import time
from urllib.parse import urlsplit, urlunsplit

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")


def port_nobody_listens_on():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free again once the probe closes


def connect(url):
    """Return (the error pika raised or None, seconds it took)."""
    started = time.monotonic()
    try:
        pika.BlockingConnection(pika.URLParameters(url)).close()
    except pika.exceptions.AMQPConnectionError as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


parts = urlsplit(AMQP_URL)
credentials, _, host_port = parts.netloc.rpartition("@")
user = credentials.split(":")[0]
bad_urls = {
    "wrong password": parts._replace(netloc=f"{user}:nope@{host_port}"),
    "wrong vhost": parts._replace(path="/no-such-vhost"),
    "closed port": parts._replace(
        netloc=f"{credentials}@127.0.0.1:{port_nobody_listens_on()}"
    ),
}
errors, seconds = {}, {}
for problem, url in bad_urls.items():
    errors[problem], seconds[problem] = connect(urlunsplit(url))
    print(f"{problem} -> {type(errors[problem]).__name__}")
    #> wrong password -> ProbableAuthenticationError
    #> wrong vhost -> ProbableAccessDeniedError
    #> closed port -> AMQPConnectionError

# A refusal, not a timeout: pika gives up waiting after socket_timeout (10 s).
print("none waited for the timeout:", all(s < 10 for s in seconds.values()))
#> none waited for the timeout: True

# What each one says. pika nests the cause in args[0]: the broker's reply
# (a string) or the socket error.
for problem, error in errors.items():
    cause = error.args[0]
    detail = cause if isinstance(cause, str) else repr(cause)
    detail = detail.split(": ", 1)[-1]
    print(f"{problem}:", textwrap.shorten(detail, 52, placeholder=" ..."))
    #> wrong password: (403) 'ACCESS_REFUSED - Login was refused using ...
    #> wrong vhost: (530) 'NOT_ALLOWED - vhost no-such-vhost not found'
    #> closed port: ConnectionRefusedError(111, 'Connection refused')

# ... so log repr(error) or logger.exception(), never only f"{error}":
print("str() of the closed-port error:", repr(str(errors["closed port"])))
#> str() of the closed-port error: ''
