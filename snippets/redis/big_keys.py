"""Big keys: measure them, read them in pieces, delete them without a stall."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# the mistake: one hash for every user's last-seen time
with r.pipeline(transaction=False) as pipe:
    for i in range(20_000):
        pipe.hset("last_seen", f"user:{i}", 1_700_000_000 + i)
    pipe.execute()
print(r.hlen("last_seen"))
#> 20000
size = r.memory_usage("last_seen", samples=0)  # 0: count every field
print(round(size / 1_000_000, 1), "MB in one key")
#> 1.5 MB in one key

# read it in pieces: HSCAN instead of one huge HGETALL reply
seen = sum(1 for _ in r.hscan_iter("last_seen", count=1000))
print(seen)
#> 20000

# split by a bucket number: 50 hashes of 400 fields each
with r.pipeline(transaction=False) as pipe:
    for field, value in r.hscan_iter("last_seen", count=1000):
        bucket = int(field.split(":")[1]) % 50
        pipe.hset(f"last_seen:{bucket}", field, value)
    pipe.execute()
print(r.hlen("last_seen:7"), r.hget("last_seen:7", "user:107"))
#> 400 1700000107
print(r.object("encoding", "last_seen:7"))  # small: compact encoding
#> listpack
buckets = [f"last_seen:{bucket}" for bucket in range(50)]
split_bytes = sum(r.memory_usage(key) for key in buckets)
print(split_bytes < size)  # and less memory
#> True

# UNLINK: the key disappears now, its memory is freed in a background
# thread; on Redis, DEL of a key this size makes every other client wait
print(r.unlink("last_seen"))
#> 1
r.unlink(*buckets)
