"""What setting send_default_pii (either way) and data_collection warn, and whether the scrubber stays on."""

import warnings

import sentry_sdk
from sentry_sdk.scrubber import EventScrubber

warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    sentry_sdk.init(dsn="", send_default_pii=True)
print([w.category.__name__ for w in caught], sentry_sdk.get_client().options["event_scrubber"] is not None)
with warnings.catch_warnings(record=True) as caught:
    sentry_sdk.init(dsn="", send_default_pii=False)
print([w.category.__name__ for w in caught])
with warnings.catch_warnings(record=True) as caught:
    sentry_sdk.init(dsn="", data_collection={}, event_scrubber=EventScrubber())
print([str(w.message)[:45] for w in caught], sentry_sdk.get_client().options["event_scrubber"])
