"""pytest's entry to the suite: assert rewriting for the harness, the fixture plugins, options and markers.

Fixtures live in tests/fixtures/ (every module there is a plugin), helpers in tests/services/,
what each snippet needs around it in tests/setups/.
"""

from __future__ import annotations

import os
import pkgutil
from pathlib import Path

import pytest

# Before anything imports them: a failed check in these modules shows its values, not a bare AssertionError.
pytest.register_assert_rewrite("harness", "setups", "services", "fixtures")

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

# Per-tool fixtures live in tests/fixtures/<module>.py; every module there is loaded as a plugin.
pytest_plugins = sorted(f"fixtures.{m.name}" for m in pkgutil.iter_modules([str(Path(__file__).parent / "fixtures")]))


def pytest_configure(config):
    config.addinivalue_line("markers", "page(*pages): the pages (e.g. 'redis/index.md') whose claims the test proves")


def pytest_report_header(config):
    from services.paths import SNIPPETS

    return f"snippets: {SNIPPETS}"


def pytest_addoption(parser):
    parser.addoption(
        "--page", action="append", default=[], metavar="PAGE",
        help="run only what proves a page, e.g. --page redis/data-types: the tests of the snippets it includes "
        "and the tests marked page(...) with it (repeatable)",
    )


def pytest_collection_modifyitems(config, items):
    pages = [_page_path(page) for page in config.getoption("page")]
    if not pages:
        return
    from services.sitebuild import snippet_refs

    included = {ref for ref, on in snippet_refs().items() if set(on) & set(pages)}
    keep, drop = [], []
    for item in items:
        marked = {page for marker in item.iter_markers("page") for page in marker.args}
        snippet = getattr(item, "callspec", None) and item.originalname == "test_snippet" and item.callspec.id
        (keep if marked & set(pages) or snippet in included else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


def _page_path(page: str) -> str:
    """'redis/data-types', 'docs/redis/data-types.md' or 'redis' (its index) -> 'redis/data-types.md'."""
    from services.paths import DOCS

    page = page.removeprefix("docs/").removesuffix("/").removesuffix(".md")
    for candidate in (f"{page}.md", f"{page}/index.md"):
        if (DOCS / candidate).is_file():
            return candidate
    raise pytest.UsageError(f"--page {page}: no such page under docs/")
