"""A service that is down is named, with its URL and how to start it, within seconds; nothing hangs."""

from __future__ import annotations

import time

import pytest
from sentry_sdk.transport import HttpTransport
from services import bugsink, rabbitmq
from services.errors import ServiceUnavailable, require_port
from services.procs import free_port
from services.snippets import run, run_beside_startups

LIMIT = 10  # seconds: the promise the README makes


def closed_port() -> int:
    return free_port()  # nothing listens there once the probe socket is closed


def test_redis_down_is_reported_with_url_and_start_command():
    url = f"redis://127.0.0.1:{closed_port()}/0"
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as err:
        require_port("Redis", url, 6379)
    assert time.monotonic() - started < LIMIT
    assert url in str(err.value) and "redis-server --daemonize yes" in str(err.value)


def test_rabbitmq_down_is_reported_before_any_vhost_is_made(monkeypatch):
    url = f"amqp://guest:guest@127.0.0.1:{closed_port()}/"
    monkeypatch.setattr(rabbitmq, "BROKER_URL", url)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as err:
        rabbitmq.Vhost().create()
    assert time.monotonic() - started < LIMIT
    assert url in str(err.value) and "rabbitmq-server -detached" in str(err.value)


def test_bugsink_venv_missing_says_how_to_create_it(monkeypatch, tmp_path):
    monkeypatch.setattr(bugsink, "VENV", tmp_path / "no-venv")
    with pytest.raises(ServiceUnavailable) as err:
        bugsink.Bugsink(tmp_path).start()
    assert "Bugsink" in str(err.value) and "python3 tests/run.py" in str(err.value)


def test_redis_snippet_fails_fast_when_redis_is_down():
    port = closed_port()
    result = run("redis/set_get_ttl.py", env={"REDIS_URL": f"redis://127.0.0.1:{port}/0"})
    assert result.returncode != 0 and result.seconds < LIMIT
    assert f"Error 111 connecting to 127.0.0.1:{port}. Connection refused." in result.stderr


def test_rabbitmq_snippet_fails_fast_when_rabbitmq_is_down():
    result = run("rabbitmq/hello_persistent.py", env={"AMQP_URL": f"amqp://guest:guest@127.0.0.1:{closed_port()}/%2F"})
    assert result.returncode != 0 and result.seconds < LIMIT
    assert "pika.exceptions.AMQPConnectionError" in result.stderr


def test_sentry_snippet_never_blocks_when_the_server_is_down():
    dsn = f"http://5e47bb3c0fd34e4a9f3a3c1d2b8e6a71@127.0.0.1:{closed_port()}/1"
    result, startup = run_beside_startups("sentry/capture_message.py", env={"SENTRY_DSN": dsn}, module="sentry_sdk")
    # beyond the load's start-up cost: under the SDK's HTTP timeout (see test_sentry_edge_cases.LIMIT), so a send that
    # waited for the server would exceed it
    assert result.returncode == 0 and result.seconds < startup + HttpTransport.TIMEOUT - 10, result.stderr
    assert "event id: 32 hex characters" in result.stdout
