"""before_send sees every event, even those sample_rate=0.0 then drops (nothing is sent: the DSN's port is closed)."""

import sentry_sdk

seen = []


def before_send(event, hint):
    seen.append(event["message"])
    return event


sentry_sdk.init(dsn="http://key@127.0.0.1:9/1", sample_rate=0.0, before_send=before_send)
ids = [sentry_sdk.capture_message(f"event {n}") for n in range(3)]
print(len(seen), ids)
