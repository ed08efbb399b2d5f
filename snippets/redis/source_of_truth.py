"""Fix for Redis as the only copy: the database first, Redis derived."""

import os
import sqlite3

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
db = sqlite3.connect(":memory:")  # stands in for your real database
db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")


def place_order(order_id, total):
    with db:  # 1. commit to the database: this is the record
        db.execute("INSERT INTO orders VALUES (?, ?)", (order_id, total))
    r.incrbyfloat("stats:revenue", total)  # 2. then the fast counter


def rebuild_stats():
    """Redis lost its data (no persistence, failover, eviction)? Rebuild."""
    (revenue,) = db.execute("SELECT SUM(total) FROM orders").fetchone()
    r.set("stats:revenue", revenue)


place_order(1, 20.0)
place_order(2, 22.5)
print(r.get("stats:revenue"))
#> 42.5

r.delete("stats:revenue")  # what a restart without persistence does
print(r.get("stats:revenue"))
#> None
rebuild_stats()
print(r.get("stats:revenue"))
#> 42.5
r.delete("stats:revenue")
