"""decode_responses: bytes by default, str when you ask for it."""

import os

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
raw = redis.Redis.from_url(REDIS_URL)  # replies as bytes
text = redis.Redis.from_url(REDIS_URL, decode_responses=True)  # as str

raw.set("city", "Zürich")  # str arguments are encoded as UTF-8
print(raw.get("city"))
#> b'Z\xc3\xbcrich'
print(text.get("city"))
#> Zürich
print(text.get("missing"))  # a missing key is None either way
#> None

# binary values (images, compressed data) need the bytes client
raw.set("thumbnail", bytes([0x89, 0x50, 0x4E, 0x47]))
print(raw.get("thumbnail"))
#> b'\x89PNG'
try:
    text.get("thumbnail")
except UnicodeDecodeError as exc:
    print(type(exc).__name__, exc.reason)
    #> UnicodeDecodeError invalid start byte

raw.delete("city", "thumbnail")
