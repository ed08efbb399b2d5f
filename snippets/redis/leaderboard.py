"""A leaderboard: ZADD scores, top N with ZRANGE ... REV, a player's rank."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
BOARD = "leaderboard:2024-w20"

r.zadd(BOARD, {"ann": 3100, "bob": 2800, "eve": 3350, "kim": 1900})
r.zincrby(BOARD, 400, "bob")  # bob scores 400 more points: 3200

top3 = r.zrange(BOARD, 0, 2, desc=True, withscores=True)
for place, (player, score) in enumerate(top3, start=1):
    print(place, player, int(score))
    #> 1 eve 3350
    #> 2 bob 3200
    #> 3 ann 3100

rank = r.zrevrank(BOARD, "kim")  # 0-based from the top
print("kim is number", rank + 1, "of", r.zcard(BOARD))
#> kim is number 4 of 4

# players around bob: one above, one below
bob = r.zrevrank(BOARD, "bob")
print(r.zrange(BOARD, max(bob - 1, 0), bob + 1, desc=True))
#> ['eve', 'bob', 'ann']

r.delete(BOARD)
