"""The built site as readers get it, in headless Chromium: offline, working, accessible.

One browser pass (`site_report`) opens every page of the strict build once and records what each
check found (see tests/browser_checks/live.py); the tests below each assert one property over all
pages, so a failure names the property and lists the pages. Pages are discovered from the build.
Screenshots of every page (1280 and 390 px wide) go to tests/.artifacts/screenshots/{desktop,mobile}/.

`test_the_checks_catch_broken_pages` runs the same checks over a deliberately broken copy of the
project (a Mermaid syntax error, an off-origin request, a console error, broken links, an image
without alt text, Python that is not a snippet) and asserts that each fault is reported.
A page including a missing snippet fails the build itself: tests/test_site.py::test_missing_snippet_fails_the_build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_checks.fixture_site import make_fixture_project
from browser_checks.live import CHECKS, check_site, summary
from browser_checks.site import crawl, site_pages, snippet_copy_texts, unique_search_terms
from sitebuild import ROOT, build_site

SCREENSHOTS = ROOT / "tests" / ".artifacts" / "screenshots"


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
            shot = SCREENSHOTS / kind / f"{page.name}.png"
            assert shot.is_file() and shot.stat().st_size > 5_000, shot


def test_no_request_leaves_the_origin(site_report):
    """Fonts, CDNs, analytics: a reader offline (or behind a strict firewall) gets the whole site."""
    assert not site_report.problems("offsite"), _report(site_report.problems("offsite"))


def test_no_request_fails(site_report):
    assert not site_report.problems("failed"), _report(site_report.problems("failed"))


def test_no_console_errors(site_report):
    assert not site_report.problems("console"), _report(site_report.problems("console"))


def test_every_diagram_renders_and_mermaid_loads_only_where_needed(site_report):
    assert not site_report.problems("mermaid"), _report(site_report.problems("mermaid"))
    with_diagrams = [p for p in site_report.pages.values() if p.diagrams]
    assert with_diagrams, "the site has no Mermaid diagram at all (the Home page has one)"
    assert all(p.mermaid_script for p in with_diagrams)
    assert not any(p.mermaid_script for p in site_report.pages.values() if not p.diagrams)


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
        assert page in site_report.search[term], f"searching {term!r} should list {page or '/'}: got {site_report.search[term]}"


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
    assert home.diagrams >= 1 and home.mermaid_script and not home.mermaid
    assert home.tab_sets >= 2 and home.tab_clicks >= 4 and not home.tabs
    consoles = [c for c in home.copies if c.lang == "console"]
    assert consoles and all(c.copied for c in consoles)
    for block in consoles:
        assert "$ " in block.displayed and not any(line.startswith("$ ") for line in block.copied.splitlines())
        assert block.copied.splitlines()[0] == block.displayed.splitlines()[0].removeprefix("$ ")


# -- the checks themselves: a broken copy of the project must fail them ---------------------------


@pytest.mark.slow
def test_the_checks_catch_broken_pages(tmp_path):
    project = make_fixture_project(tmp_path)
    site = tmp_path / "site"
    result = build_site(site, config=project / "mkdocs.yml", cwd=project)
    assert result.returncode == 0, result.stderr
    report = check_site(site, project)
    by_page = lambda attr: {url: problems for url, problems in report.problems(attr).items()}  # noqa: E731

    # the good page passes every check, with linked tabs and clean copies
    good = report.pages[""]
    for attr in CHECKS:
        assert not getattr(good, attr), (attr, getattr(good, attr))
    assert good.linked_checks >= 2 and good.mermaid_script
    copied = {c.copied for c in good.copies if c.lang == "python"}
    assert copied == set(snippet_copy_texts(project / "snippets" / "fixture" / "hello.py"))
    assert all("#>" not in text and "'''" not in text and "--8<--" not in text for text in copied)
    [console] = [c.copied for c in good.copies if c.lang == "console"]
    assert console == "python -m venv .venv\n.venv/bin/python snippets/fixture/hello.py"

    # each broken page is reported by the check meant for it
    assert set(by_page("mermaid")) == {"broken-diagram/", "wide-flowchart/"}, _report(by_page("mermaid"))
    assert any("not rendered" in p for p in by_page("mermaid")["broken-diagram/"])
    assert any("Syntax error" in p for p in by_page("mermaid")["broken-diagram/"])
    assert any("wider than the 1280 px page's column" in p for p in by_page("mermaid")["wide-flowchart/"])
    assert by_page("offsite") == {"offsite/": ["https://cdn.invalid/pixel.png"]}
    assert any("fixture: an error in the console" in p for p in by_page("console")["offsite/"])
    assert set(by_page("copy")) == {"copy-mismatch/"}, _report(by_page("copy"))
    assert set(by_page("axe")) == {"inaccessible/"}, _report(by_page("axe"))
    axe = "\n".join(by_page("axe")["inaccessible/"])
    assert "image-alt (critical)" in axe and "color-contrast (serious)" in axe
    broken = "\n".join(crawl(site).broken)
    assert "broken-link/: <a> ../no-such-page/ -> no such file" in broken
    assert "no element with id 'no-such-anchor'" in broken


def test_pages_are_discovered_from_the_build(built_site):
    """The checks cover whatever the build holds: every HTML page, Home first, 404 included."""
    urls = [p.url for p in site_pages(built_site)]
    on_disk = sorted(Path(p).relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert urls[0] == "" and "404.html" in urls and len(urls) == len(on_disk)
