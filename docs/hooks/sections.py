"""MkDocs hook: runs of content between headings become <div class="guide-section">, which the browser renders
only when they come near the screen (`content-visibility: auto` in extra.css).

On a phone, laying out a whole long page at load (thousands of table cells, code lines and diagram shapes)
blocked the main thread for 0.4-0.7 s (Lighthouse mobile, bench/site_budget.py). With the content in wrappers
the browser may skip, the first layout covers the first screen, and the rest is laid out as the reader
scrolls to it. The text stays in the page: find in page, the accessibility tree and links to anchors inside
a wrapper work.

What stays outside the wrappers, because Material reads it at load and reading it inside a skipped wrapper
would force its layout or come out empty:
- the headings: Material reads their positions for the table of contents;
- tab sets: linked tabs match labels by `innerText`, which is empty for skipped content, so a tab chosen
  above would not follow below. A tab set's blocks are skipped instead (`.tabbed-content` in extra.css).

Only top-level elements count (a heading in an admonition splits nothing); the part before the first
heading (the title and the first screen) is left as it is. After the page has loaded, docs/overrides/main.html
lays out the rest, a wrapper per idle frame, so the page soon is whole.

Material sets up a code block (its copy button, and `tabindex` on one that scrolls sideways) when it first
comes into view (`content.lazy`), as setting up all of them at load would lay out every wrapper. Until then
each block gets `tabindex="0"` here, so a keyboard reader can reach and scroll any of them.

Zensical runs no hooks: there pages render whole at load.
"""

from __future__ import annotations

from html.parser import HTMLParser

HEADINGS = {"h2", "h3", "h4"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
OPEN, CLOSE = '<div class="guide-section">', "</div>"


class _TopLevel(HTMLParser):
    """The top-level elements of a page's content: (start, end, tag, holds a tab set), as offsets."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0]
        for line in text.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.depth = 0
        self.elements: list[tuple[int, int, str, bool]] = []
        self._start, self._tag, self._tabs = 0, "", False
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self._start, self._tag, self._tabs = self._offset(), tag, False
        self._tabs = self._tabs or "tabbed-set" in (dict(attrs).get("class") or "")
        if tag in VOID:
            if self.depth == 0:
                self.elements.append((self._start, self.rawdata.index(">", self._start) + 1, tag, False))
            return
        self.depth += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        self.depth -= 1
        if self.depth == 0:
            self.elements.append((self._start, self.rawdata.index(">", self._offset()) + 1, self._tag, self._tabs))


def wrap_sections(html: str) -> str:
    parser = _TopLevel(html)
    if parser.depth != 0:  # unbalanced markup: leave the page as it is rather than guess
        return html
    out, done, run = [], 0, []  # run: (start, end) of the elements waiting for a wrapper
    seen_heading = False

    def flush() -> None:
        nonlocal done
        if run:
            out.append(html[done : run[0][0]] + OPEN + html[run[0][0] : run[-1][1]] + CLOSE)
            done = run[-1][1]
            run.clear()

    for start, end, tag, tabs in parser.elements:
        if tag in HEADINGS or tabs or not seen_heading:
            flush()
            seen_heading = seen_heading or tag in HEADINGS
            continue
        run.append((start, end))
    flush()
    out.append(html[done:])
    return "".join(out)


CODE = "<pre><span></span><code>"


def on_page_content(html: str, page, **kwargs) -> str:
    return wrap_sections(html).replace(CODE, CODE.replace("<code>", '<code tabindex="0">'))
