"""Lua scripts: read, decide and write in one atomic step on the server."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)

# take n tickets only if that many are left; return what is left, or -1
TAKE = """
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = tonumber(ARGV[1])
if left < n then
  return -1
end
return redis.call('DECRBY', KEYS[1], n)
"""
take = r.register_script(TAKE)  # EVALSHA; SCRIPT LOAD if unknown

r.set("tickets:show-1", 3)
print(take(keys=["tickets:show-1"], args=[2]))
#> 1
print(take(keys=["tickets:show-1"], args=[2]))  # only 1 left: refused
#> -1
print(r.get("tickets:show-1"))
#> 1

r.delete("tickets:show-1")
