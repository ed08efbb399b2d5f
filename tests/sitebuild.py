"""Kept for the browser checks (tests/test_browser.py, browser_checks/, test_site_budget.py), which import
`sitebuild`; the code lives in services/sitebuild.py. Drop this file once they import services.sitebuild."""

from services.paths import DOCS, ROOT
from services.sitebuild import SITE_PATH, build_site, built_pages, code_blocks, snippet_refs

__all__ = ["DOCS", "ROOT", "SITE_PATH", "build_site", "built_pages", "code_blocks", "snippet_refs"]
