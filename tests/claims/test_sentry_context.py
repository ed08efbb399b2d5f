"""docs/sentry/context.md: new_scope() does not isolate breadcrumbs added with sentry_sdk.add_breadcrumb()."""

from __future__ import annotations

import pytest
from services.paths import PROGRAMS
from services.snippets import run

pytestmark = pytest.mark.page("sentry/context.md")


def test_add_breadcrumb_inside_new_scope_leaks_into_later_events(bugsink):
    project = bugsink.new_project("context: new_scope leak")
    run(PROGRAMS / "sentry_new_scope_breadcrumb.py", env={"SENTRY_DSN": project.dsn}).ok()
    events = {e["data"]["message"]: e["data"] for e in bugsink.all_events(project)}
    after = events["after"]
    assert "job" not in (after.get("tags") or {})  # the tag stayed in the forked scope ...
    crumbs = [c["message"] for c in after["breadcrumbs"]["values"]]
    assert crumbs == ["module-level, inside new_scope"]  # ... but this breadcrumb did not
