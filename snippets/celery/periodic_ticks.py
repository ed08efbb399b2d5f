"""With beat and a worker running: the interval task arrives every second."""

import time
from itertools import pairwise

from periodic_tasks import store

store.delete("ticks:heartbeat")
deadline = time.monotonic() + 10
while store.llen("ticks:heartbeat") < 3 and time.monotonic() < deadline:
    time.sleep(0.1)

stamps = [float(t) for t in store.lrange("ticks:heartbeat", 0, 2)]
print("ticks seen:", len(stamps))
#> ticks seen: 3
gaps = [round(later - earlier) for earlier, later in pairwise(stamps)]
print("seconds between ticks:", gaps)
#> seconds between ticks: [1, 1]
