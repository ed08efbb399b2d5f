"""A task that leaks memory (a cache nobody empties), to show how a worker recycles its processes.

    celery -A leaky_tasks worker --pool prefork --concurrency 1 --loglevel INFO
"""

import os
import resource

from celery import Celery

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
app = Celery("leaky_tasks", broker=os.environ["AMQP_URL"], backend=REDIS_URL)
_cache: list[bytes] = []


@app.task
def leak(mib: int) -> dict:
    _cache.append(os.urandom(mib * 1024 * 1024))  # never freed: the leak
    with open(f"/proc/{os.getpid()}/status") as status:
        rss_kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"pid": os.getpid(), "rss_mib": rss_kib // 1024, "max_rss_mib": peak_kib // 1024}
