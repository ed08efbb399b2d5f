"""What a DSN tells the SDK: which server, which project, which key."""

from urllib.parse import urlsplit

# the example DSN from Sentry's documentation
DSN = "https://examplePublicKey@o0.ingest.sentry.io/0"

parts = urlsplit(DSN)
print("public key:", parts.username)
#> public key: examplePublicKey
print("server:", parts.hostname)
#> server: o0.ingest.sentry.io
print("project id:", parts.path.strip("/"))
#> project id: 0

# events are POSTed here; the key travels in the X-Sentry-Auth header
project = parts.path.strip("/")
print(f"{parts.scheme}://{parts.hostname}/api/{project}/envelope/")
#> https://o0.ingest.sentry.io/api/0/envelope/
