"""The browser checks themselves: a deliberately broken copy of the project must fail them.

`make_fixture_project` (tests/browser_checks/fixture_site.py) writes a good page and one page per fault (a Mermaid
syntax error, a diagram wider than the column, an off-origin request, a console error, broken links, an image
without alt text, grey text on white, Python that is not a snippet); the same checks as tests/test_browser.py's
pass over the real site must report each fault on its page, and nothing on the good one. A file of its own: its
own build and browser, so another xdist worker runs it while the pass over the real site runs.
"""

from __future__ import annotations

import pytest
from browser_checks.fixture_site import make_fixture_project
from browser_checks.live import CHECKS, check_site
from browser_checks.site import crawl, snippet_copy_texts
from sitebuild import build_site


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{url or '/'}:\n  " + "\n  ".join(found) for url, found in problems.items())


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
