"""A malformed DSN fails at init() with BadDsn; an empty DSN turns it off."""

import sentry_sdk
from sentry_sdk.utils import BadDsn

for dsn in ["localhost:9000", "http://localhost:9000/1"]:
    try:
        sentry_sdk.init(dsn=dsn)
    except BadDsn as exc:
        print(f"{dsn!r} -> BadDsn: {exc}")
        #> 'localhost:9000' -> BadDsn: Unsupported scheme 'localhost'
        #> 'http://localhost:9000/1' -> BadDsn: Missing public key

sentry_sdk.init(dsn="")  # no DSN: the SDK stays off, nothing is sent
print("transport:", sentry_sdk.get_client().transport)
#> transport: None
print("event id:", sentry_sdk.capture_message("goes nowhere"))
#> event id: None
