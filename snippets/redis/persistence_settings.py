"""Ask the server how it persists, and take an RDB snapshot on demand."""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# the docker-compose Redis of this guide: no snapshots, no AOF
config = r.config_get("save", "appendonly", "appendfsync")
print(repr(config["save"]), config["appendonly"], config["appendfsync"])
#> '' no everysec

# BGSAVE forks a child that writes dump.rdb; the server keeps serving
r.set("report:latest", "done")
r.bgsave()
while r.info("persistence")["rdb_bgsave_in_progress"]:
    time.sleep(0.05)
persistence = r.info("persistence")
print(persistence["rdb_last_bgsave_status"])
#> ok
print(persistence["rdb_changes_since_last_save"])  # all on disk now
#> 0
r.delete("report:latest")
