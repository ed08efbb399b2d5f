"""Sign an alert like Sentry does; the forwarder accepts it once, not a
forgery, and not a replay of the same signed body."""

import hashlib
import hmac
import json
import os

import httpx

FORWARDER_URL = os.environ.get("FORWARDER_URL", "http://localhost:8001")
CLIENT_SECRET = os.environ.get("SENTRY_CLIENT_SECRET", "")

payload = {  # an issue alert, trimmed to the fields the forwarder reads
    "action": "triggered",
    "data": {
        "event": {
            "title": "ZeroDivisionError: division by zero",
            "level": "error",
            "web_url": "https://sentry.example.com/issues/42/events/abc/",
        },
        "triggered_rule": "New issue in shop",
    },
}
body = json.dumps(payload).encode()
signature = hmac.new(CLIENT_SECRET.encode(), body, hashlib.sha256).hexdigest()
headers = {
    "Content-Type": "application/json",
    "Sentry-Hook-Resource": "event_alert",
    "Sentry-Hook-Signature": signature,
}

with httpx.Client(base_url=FORWARDER_URL, timeout=10) as client:
    signed = client.post("/sentry", content=body, headers=headers)
    print("signed:", signed.status_code, signed.json())
    #> signed: 200 {'forwarded': ['slack', 'discord', 'whatsapp', 'email']}

    # the same signed body again, with a new Request-ID (not signed)
    replay = {**headers, "Request-ID": "a-new-id-for-an-old-body"}
    replayed = client.post("/sentry", content=body, headers=replay)
    print("replayed:", replayed.status_code, replayed.json())
    #> replayed: 200 {'forwarded': [], 'duplicate': True}

    forged = body.replace(b"division by zero", b"please wire money")
    tampered = client.post("/sentry", content=forged, headers=headers)
    print("tampered:", tampered.status_code, tampered.json())
    #> tampered: 401 {'detail': 'bad signature'}

    unsigned = {"Content-Type": "application/json"}
    print("unsigned:", client.post("/sentry", content=body, headers=unsigned))
    #> unsigned: <Response [401 Unauthorized]>
