"""The built site as readers get it, in headless Chromium: offline, working, accessible.

One browser pass (`site_report`) opens every page of the strict build once and records what each
check found (see tests/browser_checks/live.py); the tests below each assert one property over all
pages, so a failure names the property and lists the pages. Pages are discovered from the build.
Screenshots of every page (1280 and 390 px wide, JPEG) go to tests/.artifacts/screenshots/{desktop,mobile}/.

tests/test_browser_faults.py runs the same checks over a deliberately broken copy of the project (on another
xdist worker, while this pass runs).
A page including a missing snippet fails the build itself: tests/test_site.py::test_missing_snippet_fails_the_build.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_checks.live import check_site, summary
from browser_checks.site import crawl, site_pages, unique_search_terms
from sitebuild import ROOT

# The one browser pass opens every page (axe in both palettes, screenshots at two widths): on 2 cores shared
# with the other xdist workers it has taken over 15 min, so its tests get 40 min (setup included).
pytestmark = pytest.mark.timeout(2400)

SCREENSHOTS = ROOT / "tests" / ".artifacts" / "screenshots"
DIAGRAMS = ROOT / "docs" / "diagrams"


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{url or '/'}:\n  " + "\n  ".join(found) for url, found in problems.items())


@pytest.fixture(scope="session")
def search_terms(built_site) -> dict[str, str]:
    return unique_search_terms(built_site)


@pytest.fixture(scope="session")
def site_report(built_site, search_terms):
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    report = check_site(built_site, ROOT, screenshots=SCREENSHOTS, search_terms=list(search_terms))
    print("\n" + summary(report))
    return report


def test_every_page_was_opened_and_photographed(built_site, site_report):
    pages = site_pages(built_site)
    assert [p.url for p in pages] == list(site_report.pages)
    assert not site_report.problems("errors"), _report(site_report.problems("errors"))
    for page in pages:
        for kind in ("desktop", "mobile"):
            shot = SCREENSHOTS / kind / f"{page.name}.jpg"
            assert shot.is_file() and shot.stat().st_size > 5_000, shot


def test_no_request_leaves_the_origin(site_report):
    """Fonts, CDNs, analytics: a reader offline (or behind a strict firewall) gets the whole site."""
    assert not site_report.problems("offsite"), _report(site_report.problems("offsite"))


def test_no_request_fails(site_report):
    assert not site_report.problems("failed"), _report(site_report.problems("failed"))


def test_no_console_errors(site_report):
    assert not site_report.problems("console"), _report(site_report.problems("console"))


def test_every_diagram_renders_and_no_page_loads_mermaid(site_report):
    """Every diagram is on the page as an SVG before any script runs (pre-rendered): no page loads Mermaid."""
    assert not site_report.problems("mermaid"), _report(site_report.problems("mermaid"))
    with_diagrams = [p for p in site_report.pages.values() if p.diagrams]
    assert with_diagrams, "the site has no Mermaid diagram at all (the Home page has one)"
    assert not any(p.mermaid_script for p in site_report.pages.values())


def test_every_diagram_is_prerendered(built_site):
    """Each diagram ships as the committed docs/diagrams/<hash of its source>.svg. A changed source has a new
    hash and no SVG yet: its block is left to the browser, and this test fails until the SVG is rendered.
    An SVG no diagram uses any more fails too."""
    pages = site_pages(built_site)
    left = {p.url or "/": p.in_browser for p in pages if p.in_browser}
    assert not left, (f"diagram(s) without an up-to-date SVG (source changed?) on {left}: run "
                      "`.venv/bin/python docs/hooks/render_diagrams.py` and commit docs/diagrams/")  # fmt: skip
    used = {key for p in pages for key in re.findall(r'data-diagram="([0-9a-f]{16})"', p.path.read_text())}
    on_disk = {svg.stem for svg in DIAGRAMS.glob("*.svg")}
    assert used and on_disk == used, f"unused SVGs: {sorted(on_disk - used)}; missing: {sorted(used - on_disk)}"


def test_tabs_switch_and_linked_tabs_follow(site_report):
    assert not site_report.problems("tabs"), _report(site_report.problems("tabs"))
    assert sum(p.tab_clicks for p in site_report.pages.values()) > 0


def test_copy_button_gives_the_code_without_prompts_or_output(site_report):
    assert not site_report.problems("copy"), _report(site_report.problems("copy"))
    copies = [c for p in site_report.pages.values() for c in p.copies]
    python = [c for c in copies if c.lang == "python"]
    assert python, "no Python block on any page"
    assert not any(line.lstrip().startswith("#>") for c in python for line in c.copied.splitlines())


def test_search_lists_the_only_page_with_a_term(site_report, search_terms):
    assert search_terms, "no term of the search index occurs on exactly one page"
    for term, page in search_terms.items():
        found = site_report.search[term]
        assert page in found, f"searching {term!r} should list {page or '/'}: got {found}"


def test_no_serious_or_critical_accessibility_violations(site_report):
    assert not site_report.problems("axe"), _report(site_report.problems("axe"))


def test_no_sideways_scrolling_on_a_phone(site_report):
    assert not site_report.problems("mobile"), _report(site_report.problems("mobile"))


def test_no_broken_links(built_site):
    """Every internal link, stylesheet, script and image resolves, and so does every #anchor."""
    result = crawl(built_site)
    assert result.checked > 0
    assert not result.broken, "\n".join(result.broken)
    unreachable = {p.url for p in site_pages(built_site, include_404=False)} - result.reached
    assert not unreachable, f"pages no link leads to from the Home page: {sorted(unreachable)}"


def test_home_page(site_report):
    """Explicit checks on the Home page: its diagram, its two tab sets, its console blocks."""
    home = site_report.pages[""]
    assert home.diagrams >= 1 and not home.mermaid_script and not home.mermaid
    assert home.tab_sets >= 2 and home.tab_clicks >= 4 and not home.tabs
    consoles = [c for c in home.copies if c.lang == "console"]
    assert consoles and all(c.copied for c in consoles)
    for block in consoles:
        assert "$ " in block.displayed and not any(line.startswith("$ ") for line in block.copied.splitlines())
        assert block.copied.splitlines()[0] == block.displayed.splitlines()[0].removeprefix("$ ")


def test_pages_are_discovered_from_the_build(built_site):
    """The checks cover whatever the build holds: every HTML page, Home first, 404 included."""
    urls = [p.url for p in site_pages(built_site)]
    on_disk = sorted(Path(p).relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert urls[0] == "" and "404.html" in urls and len(urls) == len(on_disk)
