"""MkDocs hook: Mermaid diagrams are shown as SVG rendered ahead of time, so no Mermaid JavaScript loads.

Each ```mermaid block becomes the SVG in docs/diagrams/<hash>.svg, where <hash> is the first 16 hex digits
of the SHA-256 of the block's source (stripped). The SVG sits in a declarative shadow root
(<template shadowrootmode="open">), as Material would put it after rendering it in the browser: the
page's styles do not reach into the diagram, while Material's --md-mermaid-* CSS variables (used by the
SVG's own styles) do, so the diagram follows the light and dark palettes. Its text stays text (selectable,
found by the browser's find). The pictures are made by docs/hooks/render_diagrams.py (vendored Mermaid in
Debian's Chromium, through Material's own rendering) and committed, so building or serving the site needs
no browser.

A block whose SVG is missing (its source changed and was not re-rendered) is left as it is: Material
renders it in the browser with the vendored Mermaid (docs/overrides/main.html loads it only then), and
tests/test_browser.py::test_every_diagram_is_prerendered fails until render_diagrams.py is run.
Zensical ignores hooks: there every diagram is rendered in the browser that way.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
from pathlib import Path

DIAGRAMS = Path(__file__).resolve().parents[1] / "diagrams"
FENCE = re.compile(r'<pre class="mermaid"><code>(.*?)</code></pre>', re.S)
# GUIDE_DIAGRAMS=browser: leave every block to the browser (render_diagrams.py --all renders them from that build)
ENABLED = os.environ.get("GUIDE_DIAGRAMS", "") != "browser"
log = logging.getLogger("mkdocs.hooks.diagrams")


def source_hash(source: str) -> str:
    """The key of a diagram's SVG: its source as Material hands it to Mermaid, stripped."""
    return hashlib.sha256(source.strip().encode()).hexdigest()[:16]


def svg_file(source: str) -> Path:
    return DIAGRAMS / f"{source_hash(source)}.svg"


def sources(page_html: str) -> list[str]:
    """Mermaid sources of the blocks still left to the browser, in page order."""
    return [html.unescape(m) for m in FENCE.findall(page_html)]


def inline(source: str, svg: str) -> str:
    # tabindex: a diagram wider than the column scrolls sideways, and keyboard users can scroll it too
    return (f'<div class="guide-diagram" data-diagram="{source_hash(source)}" tabindex="0">'
            f'<template shadowrootmode="open">{svg.strip()}</template></div>')  # fmt: skip


def on_page_content(html_text: str, page, **kwargs) -> str:
    if not ENABLED:
        return html_text

    def swap(match: re.Match) -> str:
        source = html.unescape(match.group(1))
        path = svg_file(source)
        if not path.is_file():
            log.info("diagram %s on %s has no SVG yet: rendered in the browser (run docs/hooks/render_diagrams.py)",
                     source_hash(source), page.file.src_uri)  # fmt: skip
            return match.group(0)
        return inline(source, path.read_text())

    return FENCE.sub(swap, html_text)
