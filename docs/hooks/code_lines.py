"""MkDocs hook: keep a line's own <span> only where the site needs it (output lines), so pages stay light.

`pymdownx.highlight`'s `line_spans` wraps every line of every code block in `<span id="__span-N-M">`
(the site needs per-line elements so that copying can leave output lines out). After
docs/hooks/snippet_output.py has marked the `#>` output lines of Python blocks, this hook:

- keeps a wrapper, as `<span class="snippet-output">`, around each output line: a marked Python output
  line, and a console line that is output (Pygments' `.go` token, or only a `(venv)`-style prompt token,
  which Pygments gives to redis-cli's "(nil)" and "(integer) 1"), so extra.css can style it and hide it
  while Material copies, with simple class selectors instead of `:has()` over every line;
- unwraps every other line: its text and tokens stay, its wrapper and id go (ids nothing links to).

A page with 400 code lines loses about 400 elements and 400 ids. Zensical runs no hooks: there the
wrappers stay, and docs/overrides/main.html marks output lines in the browser.
"""

from __future__ import annotations

import re

LINE = re.compile(
    r'<span id="__span-\d+-\d+"( class="snippet-output")?>(.*?)</span>(?=<span id="__span-|</code>|\Z)', re.S
)
CODE = re.compile(r"(<code>)(.*?)(</code>)", re.S)
CONSOLE_OUTPUT = re.compile(r'<span class="go">')
PROMPTS = re.compile(r'<span class="gp( gp-VirtualEnv)?">')


def _is_console_output(body: str) -> bool:
    if CONSOLE_OUTPUT.search(body):
        return True
    prompts = [m.group(1) for m in PROMPTS.finditer(body)]
    return bool(prompts) and all(prompts)  # only `(...)` prompt tokens: redis-cli output, not a command


def lean(code: str) -> str:
    def line(match: re.Match) -> str:
        marked, body = match.group(1), match.group(2)
        if marked or _is_console_output(body):
            return f'<span class="snippet-output">{body}</span>'
        return body

    return LINE.sub(line, code)


def on_page_content(html_text: str, **kwargs) -> str:
    return CODE.sub(lambda m: m.group(1) + lean(m.group(2)) + m.group(3), html_text)
