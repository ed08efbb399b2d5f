"""A consumer that takes one job, prints it, then "works" until a test kills it with SIGKILL (no goodbye).

    python crashing_consumer.py KIND URL

KIND is how it takes the job: redis-brpop, redis-blmove, redis-stream (group "workers", consumer
"crashed"), rabbitmq-ack (manual acks, prefetch 1) or rabbitmq-autoack. Used by
tests/claims/test_compare_consumer_crash.py.
"""

import sys
import time

import pika
import redis

kind, url = sys.argv[1], sys.argv[2]
if kind.startswith("redis-"):
    r = redis.Redis.from_url(url, decode_responses=True)
    if kind == "redis-brpop":
        _key, job = r.brpop(["jobs"], timeout=5)
    elif kind == "redis-blmove":
        job = r.blmove("jobs", "jobs:processing", 5, "RIGHT", "LEFT")
    else:
        [(_, [(_id, fields)])] = r.xreadgroup("workers", "crashed", {"jobs": ">"}, count=1, block=5000)
        job = fields["job"]
else:  # the connection stays open (module-level) until the kill
    channel = pika.BlockingConnection(pika.URLParameters(url)).channel()
    channel.basic_qos(prefetch_count=1)
    deliveries = channel.consume("jobs", auto_ack=kind == "rabbitmq-autoack", inactivity_timeout=5)
    _method, _props, body = next(deliveries)
    job = body.decode()

print(job, flush=True)
time.sleep(60)
