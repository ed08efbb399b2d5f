"""MkDocs hook: mark the `#>` output lines of code blocks so copying gives only the code.

Snippets carry their checked output as `#> ...` comment lines (pytest-examples), or, for long output,
as a bare `'''` block right after the print. Readers should see that output next to the code, but the
copy button must give clean, runnable code: each such line gets class="snippet-output", and
extra.css hides those lines while Material copies (it sets [data-md-copying] on the block).
Console blocks work the same way through Pygments' prompt/output classes (.gp, .go) in extra.css.
"""

from __future__ import annotations

import html
import re

# one line of a highlighted block (pymdownx.highlight line_spans: __span)
LINE = re.compile(r'<span id="(__span-\d+-\d+)">(.*?)</span>(?=<span id="__span-|</code>)', re.S)
BLOCK = re.compile(r'(<div class="language-python highlight">.*?</code></pre></div>)', re.S)
TAG = re.compile(r"<[^>]+>")


def _text(line_html: str) -> str:
    return html.unescape(TAG.sub("", line_html))


def mark_output_lines(block: str) -> str:
    in_output = False

    def mark(match: re.Match) -> str:
        nonlocal in_output
        span_id, body = match.group(1), match.group(2)
        text = _text(body).strip()
        is_output = in_output or text.startswith("#>") or text == "'''"
        if text == "'''":
            in_output = not in_output
        if not is_output:
            return match.group(0)
        return f'<span id="{span_id}" class="snippet-output">{body}</span>'

    return LINE.sub(mark, block)


def on_page_content(html_text: str, **kwargs) -> str:
    return BLOCK.sub(lambda m: mark_output_lines(m.group(1)), html_text)
