"""docs/sentry/context.md: new_scope() does not isolate breadcrumbs added with sentry_sdk.add_breadcrumb()."""

from __future__ import annotations

from fixtures.sentry import run_python


def test_add_breadcrumb_inside_new_scope_leaks_into_later_events(bugsink):
    project = bugsink.new_project("context: new_scope leak")
    code = (
        "import os, sentry_sdk\n"
        "sentry_sdk.init(os.environ['SENTRY_DSN'])\n"
        "with sentry_sdk.new_scope() as scope:\n"
        "    scope.set_tag('job', 'one')\n"
        "    sentry_sdk.add_breadcrumb(message='module-level, inside new_scope')\n"
        "    scope.add_breadcrumb(message='on the forked scope')\n"
        "    sentry_sdk.capture_message('inside')\n"
        "sentry_sdk.capture_message('after')\n"
        "sentry_sdk.flush(5)\n"
    )
    result, _ = run_python(code, env={"SENTRY_DSN": project.dsn})
    assert result.returncode == 0, result.stderr
    events = {e["data"]["message"]: e["data"] for e in bugsink.all_events(project)}
    after = events["after"]
    assert "job" not in (after.get("tags") or {})  # the tag stayed in the forked scope ...
    crumbs = [c["message"] for c in after["breadcrumbs"]["values"]]
    assert crumbs == ["module-level, inside new_scope"]  # ... but this breadcrumb did not
