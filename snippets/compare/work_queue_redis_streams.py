"""Work queue on a Redis stream: a consumer group hands each job to one
worker; an entry whose worker died before XACK stays pending until
another worker claims it."""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
r.delete("jobs")
# the group "workers" starts at the beginning of the stream ("0")
r.xgroup_create("jobs", "workers", id="0", mkstream=True)

for n in (1, 2, 3):
    r.xadd("jobs", {"job": f"resize image {n}"})


def take(worker: str, count: int = 1) -> list[tuple[str, dict]]:
    """Up to `count` entries never delivered to anyone in the group."""
    reply = r.xreadgroup(
        "workers", worker, {"jobs": ">"}, count=count, block=1000
    )
    return reply[0][1] if reply else []


# worker-1 does job 1 and acknowledges it
[(job_id, fields)] = take("worker-1")
print("worker-1 did:", fields["job"])
#> worker-1 did: resize image 1
r.xack("jobs", "workers", job_id)

# worker-1 takes job 2 and dies before XACK
[(lost_id, fields)] = take("worker-1")
print("worker-1 took:", fields["job"], "and crashed")
#> worker-1 took: resize image 2 and crashed

# the entry is pending: delivered to worker-1, never acknowledged
pending = r.xpending_range("jobs", "workers", min="-", max="+", count=10)
print([(p["consumer"], p["times_delivered"]) for p in pending])
#> [('worker-1', 1)]

# ">" only gives entries nobody got yet: job 2 is not among them
entries = take("worker-2", count=10)
print("worker-2 got:", [fields["job"] for _id, fields in entries])
#> worker-2 got: ['resize image 3']
r.xack("jobs", "workers", *[entry_id for entry_id, _ in entries])

# XAUTOCLAIM moves entries idle longer than min_idle_time (ms) to the
# caller. In production: longer than your slowest job, e.g. 60_000.
# Its third element lists pending ids whose entries a trim deleted.
time.sleep(0.2)
_next, claimed, _trimmed = r.xautoclaim(
    "jobs", "workers", "worker-2", min_idle_time=100, start_id="0-0"
)
print("worker-2 claimed:", [fields["job"] for _id, fields in claimed])
#> worker-2 claimed: ['resize image 2']
pending = r.xpending_range("jobs", "workers", min="-", max="+", count=10)
print([(p["consumer"], p["times_delivered"]) for p in pending])
#> [('worker-2', 2)]
r.xack("jobs", "workers", lost_id)
print("pending:", r.xpending("jobs", "workers")["pending"])
#> pending: 0

r.delete("jobs")
