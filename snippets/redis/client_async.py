"""redis.asyncio: the same API with await, for asyncio apps (FastAPI...)."""

import asyncio
import os

import redis.asyncio as aioredis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")


async def main():
    r = aioredis.from_url(REDIS_URL, decode_responses=True)
    for i, name in enumerate(["Ann", "Bob", "Eve"], start=1):
        await r.hset(f"user:{i}", "name", name)
    # gather: three requests in flight at once (on pooled connections)
    names = await asyncio.gather(
        *(r.hget(f"user:{i}", "name") for i in (1, 2, 3))
    )
    print(names)
    #> ['Ann', 'Bob', 'Eve']
    await r.delete("user:1", "user:2", "user:3")
    await r.aclose()  # close the pool before the event loop ends


asyncio.run(main())
