"""redis-py's `Lock` without a `timeout` never expires: an owner killed with `kill -9` holds it for good.

`r.lock(name)` defaults to `timeout=None`, and redis-py then acquires with `SET name token NX`
without `PX` (redis/lock.py, "it will remain locked until release() is called"). The owner here is
a separate process that takes the lock and is killed with SIGKILL, so it never releases it. With
`timeout=1` the key expires and the next worker gets the lock. Measured on every Redis build (Redis 8.0,
Valkey 8.1, Redis 7.0); table on the Use cases page: snippets/redis/results/lock_crash.md.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from services.generations import REDIS_BUILDS
from services.paths import PROGRAMS
from services.procs import eventually
from services.results import by_build

pytestmark = pytest.mark.page("redis/use-cases.md")


def killed_owner(url: str, *timeout: str) -> None:
    """Start a process that takes lock:report, wait until it holds it, then kill -9 it."""
    owner = [sys.executable, str(PROGRAMS / "lock_owner.py"), url, *timeout]
    proc = subprocess.Popen(owner, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "True"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)


def lock_crash_table(server) -> str:
    r = server.client()
    killed_owner(server.url)
    ttl_after_kill = r.ttl("lock:report")
    next_worker = r.lock("lock:report", blocking_timeout=1).acquire()
    assert ttl_after_kill == -1 and next_worker is False and r.ttl("lock:report") == -1
    r.delete("lock:report")  # what an operator ends up doing by hand

    killed_owner(server.url, "1")
    ttl_with_timeout = r.ttl("lock:report")
    assert ttl_with_timeout in (0, 1)  # TTL rounds to seconds: 1 s or less left
    eventually(lambda: not r.exists("lock:report"), timeout=10, what="the lock key to expire")
    assert r.lock("lock:report", timeout=10).acquire(blocking=False) is True
    return (
        "| Lock taken with | its key after the owner was killed with `kill -9` | the next worker |\n|---|---|---|\n"
        f"| `r.lock(\"lock:report\")` (default `timeout=None`) | no expiry: `TTL` {ttl_after_kill} "
        f"| `acquire(blocking_timeout=1)` returned `{next_worker}`; the key still had `TTL` -1 |\n"
        "| `r.lock(\"lock:report\", timeout=1)` | expires within 1 s | acquired it once the key had expired |"
    )


def test_a_lock_without_timeout_outlives_a_killed_owner(private_redis, results):
    tables = {build: lock_crash_table(private_redis(build=build, name=build.name)) for build in REDIS_BUILDS}
    results("redis/lock_crash.md", by_build(tables))
