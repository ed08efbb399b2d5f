"""Inside new_scope(): a tag and scope.add_breadcrumb() stay there; sentry_sdk.add_breadcrumb() does not."""

import os

import sentry_sdk

sentry_sdk.init(os.environ["SENTRY_DSN"])
with sentry_sdk.new_scope() as scope:
    scope.set_tag("job", "one")
    sentry_sdk.add_breadcrumb(message="module-level, inside new_scope")
    scope.add_breadcrumb(message="on the forked scope")
    sentry_sdk.capture_message("inside")
sentry_sdk.capture_message("after")
sentry_sdk.flush(5)
