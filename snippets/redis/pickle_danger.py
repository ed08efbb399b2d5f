"""Why not pickle: loading a pickle runs code chosen by whoever wrote it."""

import json
import os
import pickle

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
r = redis.Redis.from_url(REDIS_URL)


class Payload:
    """What an attacker who can write to your Redis could store."""

    def __reduce__(self):
        # pickle.loads() will call eval() with this string
        return (eval, ("'attacker code ran, 6 * 7 = ' + str(6 * 7)",))


r.set("cache:user:1", pickle.dumps(Payload()))

# the app reads its "cached user" back with pickle...
print(pickle.loads(r.get("cache:user:1")))
#> attacker code ran, 6 * 7 = 42

# ...with JSON the same bytes are just invalid data, nothing runs
try:
    json.loads(r.get("cache:user:1"))
except ValueError as exc:  # json.JSONDecodeError
    print(type(exc).__name__)
    #> UnicodeDecodeError

# the fix: store plain data as JSON
r.set("cache:user:1", json.dumps({"id": 1, "name": "Ann"}))
print(json.loads(r.get("cache:user:1")))
#> {'id': 1, 'name': 'Ann'}
r.delete("cache:user:1")
