"""Send one transaction to SENTRY_DSN; print whether the SDK then drops transactions, and errors."""

import os

import sentry_sdk

sentry_sdk.init(os.environ["SENTRY_DSN"], traces_sample_rate=1.0)
with sentry_sdk.start_transaction(name="first"):
    pass
sentry_sdk.flush(5)
transport = sentry_sdk.get_client().transport
print(transport._check_disabled("transaction"), transport._check_disabled("error"))
