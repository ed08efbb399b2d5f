"""Claims of the Celery "Calling tasks" page about a broker that is down or does not answer."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from celery import Celery
from kombu.exceptions import OperationalError
from services.procs import free_port

pytestmark = pytest.mark.page("celery/calling.md")


def _send(broker_url: str, **conf) -> tuple[Exception, float]:
    app = Celery("down", broker=broker_url, set_as_current=False)
    app.conf.update(conf)
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError) as err:
            app.send_task("tasks.add", args=[2, 3])
    finally:
        app.close()
    return err.value, time.monotonic() - started


def test_refused_connection_fails_in_about_a_second():
    exc, took = _send(f"amqp://guest:guest@127.0.0.1:{free_port()}//")
    assert str(exc) == "[Errno 111] Connection refused"  # note: no host or port in the message
    assert took < 5


@pytest.fixture
def silent_server():
    """Accepts TCP connections and never says a word (a hung broker, a wrong port behind a proxy)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in accepted:
        conn.close()


def test_silent_broker_fails_after_broker_connection_timeout(silent_server):
    exc, took = _send(f"amqp://guest:guest@127.0.0.1:{silent_server}//", broker_connection_timeout=2)
    assert str(exc) == "timed out"
    assert 2 <= took < 10
