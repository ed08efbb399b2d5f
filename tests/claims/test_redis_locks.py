"""redis-py's `Lock` without a `timeout` never expires: an owner killed with `kill -9` holds it for good.

`r.lock(name)` defaults to `timeout=None`, and redis-py then acquires with `SET name token NX`
without `PX` (redis/lock.py, "it will remain locked until release() is called"). The owner here is
a separate process that takes the lock and is killed with SIGKILL, so it never releases it. With
`timeout=1` the key expires and the next worker gets the lock. Table on the Use cases page:
snippets/redis/results/lock_crash.md.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from services.paths import PROGRAMS
from services.procs import eventually

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


def test_a_lock_without_timeout_outlives_a_killed_owner(private_redis, results):
    server = private_redis()
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

    results(
        "redis/lock_crash.md",
        "| Lock taken with | its key after the owner was killed with `kill -9` | the next worker |\n|---|---|---|\n"
        f"| `r.lock(\"lock:report\")` (default `timeout=None`) | no expiry: `TTL` {ttl_after_kill} "
        f"| `acquire(blocking_timeout=1)` returned `{next_worker}`; the key still had `TTL` -1 |\n"
        "| `r.lock(\"lock:report\", timeout=1)` | expires within 1 s | acquired it once the key had expired |",
    )
