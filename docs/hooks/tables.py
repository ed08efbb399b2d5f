"""MkDocs hook: plain tables arrive wrapped and styled, so Material's script leaves them alone.

When a page loads, Material's script wraps every `table:not([class])` in `.md-typeset__scrollwrap >
.md-typeset__table` (its scrolling box). Moving each table made the browser style and lay out every table
again, about 100 ms of a phone's main thread on compare/ (Lighthouse mobile total blocking time 225 -> 120 ms
with the tables left alone, bench/site_budget.py), and moved a table on the first screen 16px down.

Here each table is written already in that box, with `class="guide-table"`, which the script skips.
Material styles tables only as `table:not([class])`: its rules are copied for `table.guide-table` from its
own stylesheet into stylesheets/guide-tables.css at build time (tests/test_site.py checks the copy).
Zensical runs no hooks: there tables stay as Material makes them.
"""

from __future__ import annotations

import re
from pathlib import Path

import material

CSS = "stylesheets/guide-tables.css"
PLAIN, OURS = "table:not([class])", "table.guide-table"
OPEN = '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="guide-table">'


def material_table_rules() -> list[str]:
    """Material's rules whose selector names `table:not([class])`, in order, inside their @media if any."""
    [path] = (Path(material.__file__).parent / "templates" / "assets" / "stylesheets").glob("main.*.min.css")
    css, rules, media = path.read_text(), [], None
    for token in re.finditer(r"(@media[^{]+)\{|([^{}]+)\{([^{}]*)\}|\}", css):
        if token.group(1):
            media = token.group(1)
        elif token.group(2) is not None:
            if PLAIN in token.group(2):
                rule = f"{token.group(2)}{{{token.group(3)}}}"
                rules.append(f"{media}{{{rule}}}" if media else rule)
        else:
            media = None
    return rules


def guide_table_css() -> str:
    return "\n".join(rule.replace(PLAIN, OURS) for rule in material_table_rules()) + "\n"


def on_config(config, **kwargs):
    config.extra_css.append(CSS)
    return config


def on_page_content(html: str, page, **kwargs) -> str:
    return html.replace("<table>", OPEN).replace("</table>", "</table></div></div>")


def on_post_build(config, **kwargs) -> None:
    out = Path(config.site_dir) / CSS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"/* Material's table rules for table.guide-table: docs/hooks/tables.py */\n{guide_table_css()}")
