"""What init() with no arguments takes from the environment: DSN, environment, release, sample rates.

    python sentry_init_defaults.py [--capture]

With --capture it also prints the transport and what capture_message() returns.
"""

import sys

import sentry_sdk

sentry_sdk.init()
client = sentry_sdk.get_client()
o = client.options
print(repr(client.dsn), o["environment"], o["release"], o["traces_sample_rate"], o["sample_rate"])
if "--capture" in sys.argv:
    print(sentry_sdk.get_client().transport, sentry_sdk.capture_message("x"))
