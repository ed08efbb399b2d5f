"""The envelope URL and X-Sentry-Auth value the SDK derives from the DSN the Getting started page shows."""

from sentry_sdk.consts import EndpointType
from sentry_sdk.utils import Dsn

auth = Dsn("https://examplePublicKey@o0.ingest.sentry.io/0").to_auth()
print(auth.get_api_url(EndpointType.ENVELOPE), auth.to_header())
