"""docs/sentry/dashboard.md shows Bugsink's web UI: screenshots of the issue dashboard_demo.py creates.

The test runs the snippet against a fresh project, logs in to the run's Bugsink in headless Chromium
and photographs the pages the page shows, into tests/.artifacts/sentry-dashboard/ on every run.
`--update-examples` also writes them to docs/sentry/img/ (then commit them), like every other
output a page shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from services import snippets
from services.browser import chromium
from services.paths import ARTIFACTS, DOCS

pytestmark = pytest.mark.page("sentry/dashboard.md")

SCREENSHOTS = ARTIFACTS / "sentry-dashboard"
DOCS_IMG = DOCS / "sentry" / "img"


def _palette_png(path: Path) -> bytes:
    """Re-save a UI screenshot with a 64-colour palette: a quarter of the bytes, no visible change
    (keeps the dashboard page under the 400 KB page-weight budget; bench/site_budget.py)."""
    from PIL import Image

    Image.open(path).convert("RGB").quantize(64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.read_bytes()


def test_dashboard_screenshots_show_the_demo_issue(bugsink, bugsink_admin, request):
    project = bugsink.new_project("dashboard screenshots")
    snippets.run("sentry/dashboard_demo.py", env={"SENTRY_DSN": project.dsn}).ok()
    [issue] = bugsink.issues(project)
    assert issue["digested_event_count"] == 3
    base = f"{bugsink.url}/issues/issue/{issue['id']}/event/last"
    shots = {  # file: (page, viewport height)
        "issue-list.png": (f"{bugsink.url}/issues/{project.id}/", 360),
        "issue-stacktrace.png": (f"{base}/", 720),
        "issue-breadcrumbs.png": (f"{base}/breadcrumbs/", 500),
        "issue-tags.png": (f"{bugsink.url}/issues/issue/{issue['id']}/tags/", 700),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    user, password = bugsink_admin
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 720})
        page.goto(f"{bugsink.url}/accounts/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", password)
        page.click("button:has-text('Login')")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{bugsink.url}/issues/{project.id}/")
        silence = page.locator("div[title=Ignore] button")  # the "email is not set up" banner
        if silence.count():
            silence.first.click()
            page.wait_for_load_state()
        for name, (url, height) in shots.items():
            page.set_viewport_size({"width": 1024, "height": height})
            response = page.goto(url)
            assert response.status == 200, url
            page.screenshot(path=SCREENSHOTS / name)
        # "users affected": the user tags' distribution, further down the Tags tab
        top = page.get_by_text("user:", exact=True).bounding_box()["y"]
        height = page.evaluate("document.body.scrollHeight") - top
        page.screenshot(path=SCREENSHOTS / "issue-users.png", full_page=True,
                        clip={"x": 0, "y": top - 12, "width": 1024, "height": min(height, 480)})
    update = request.config.getoption("update_examples")
    for name in [*shots, "issue-users.png"]:
        png = _palette_png(SCREENSHOTS / name)
        assert png.startswith(b"\x89PNG") and len(png) > 3_000, name
        if update:
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            (DOCS_IMG / name).write_bytes(png)
    assert {p.name for p in DOCS_IMG.glob("*.png")} >= {*shots, "issue-users.png"}  # what the page shows
