"""Build the site the way readers and CI do, and read what the build produced."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .paths import DOCS, ROOT

# The path the site is published under: site_url's ("/background-guide/" on GitHub Pages). 404.html loads its
# assets from there (MkDocs makes its links absolute: the page answers for any missing URL), so the browser
# checks serve the build under it, as GitHub Pages does.
SITE_PATH = urlsplit(re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(), re.M)[1]).path

SNIPPET_REF = re.compile(r'--8<--\s+"([^"]+)"')
CODE_BLOCK = re.compile(r'<div class="language-([\w-]+)(?: [\w-]+)* highlight">(.*?)</code></pre></div>', re.S)
TAG = re.compile(r"<[^>]+>")
FILENAME = re.compile(r'<span class="filename">.*?</span>', re.S)


def build_site(out: Path, config: Path = ROOT / "mkdocs.yml", cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config), "-d", str(out)]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def snippet_refs(docs: Path = DOCS) -> dict[str, list[str]]:
    """{snippet path (relative to snippets/): [pages that include it]} from `--8<-- "path[:section]"` lines."""
    refs: dict[str, list[str]] = {}
    for page in sorted(docs.rglob("*.md")):
        for ref in SNIPPET_REF.findall(page.read_text()):
            path = re.sub(r":[\w-]+$|:\d+(:\d+)?$", "", ref)
            refs.setdefault(path, []).append(page.relative_to(docs).as_posix())
    return refs


def page_file(page: str, docs: Path = DOCS) -> str:
    """'redis/data-types', 'docs/redis/data-types.md' or 'redis' (its index) -> 'redis/data-types.md'."""
    page = page.removeprefix("docs/").removesuffix("/").removesuffix(".md")
    for candidate in (f"{page}.md", f"{page}/index.md"):
        if (docs / candidate).is_file():
            return candidate
    raise LookupError(f"{page}: no such page under docs/")


def snippets_on(pages: list[str], docs: Path = DOCS) -> set[str]:
    """The snippets (relative to snippets/) that any of `pages` ('redis/data-types.md') includes."""
    return {ref for ref, on in snippet_refs(docs).items() if set(on) & set(pages)}


def code_blocks(page_html: str) -> list[tuple[str, str]]:
    """(language, text) of every highlighted block of a built page, as a reader would copy-and-see it."""
    blocks = []
    for lang, body in CODE_BLOCK.findall(page_html):
        body = FILENAME.sub("", body)
        blocks.append((lang, html.unescape(TAG.sub("", body))))
    return blocks


def built_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")
