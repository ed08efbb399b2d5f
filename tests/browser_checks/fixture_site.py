"""A deliberately broken copy of the project, to prove the browser checks catch what they claim to.

`make_fixture_project(tmp)` copies the real mkdocs.yml (theme, hooks, extensions) and everything
in docs/ but the pages (hooks, overrides, stylesheets, vendored Mermaid), and writes a handful of fixture
pages: one that is correct (diagram, linked tabs, a snippet with output lines and a section, a
console block) and one per kind of fault.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sitebuild import ROOT

SNIPPET = '''\
"""A fixture snippet: output lines and a section."""

total = 0
# --8<-- [start:loop]
for n in range(3):
    total += n
    print(n)
    #> 0
    #> 1
    #> 2
# --8<-- [end:loop]
print({"total": total, "items": list(range(12)), "name": "fixture"})
\'\'\'
{
    "total": 3,
    "items": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    "name": "fixture",
}
\'\'\'
'''

GOOD = '''\
# Fixture: all good

```mermaid
flowchart LR
    a[Producer] --> b[(Queue)] --> c[Consumer]
```

=== "Redis"

    Redis text, first set.

=== "RabbitMQ"

    RabbitMQ text, first set.

Some text between the sets.

=== "Redis"

    ```python title="snippets/fixture/hello.py"
    --8<-- "fixture/hello.py"
    ```

=== "RabbitMQ"

    ```python title="snippets/fixture/hello.py"
    --8<-- "fixture/hello.py:loop"
    ```

```console
$ python -m venv .venv
$ .venv/bin/python snippets/fixture/hello.py
0
1
```
'''

PAGES = {
    "index.md": GOOD,
    "broken-diagram.md": "# Broken diagram\n\n```mermaid\nflowchart LR\n    a --> b -->\n    c[[[ d\n```\n",
    "wide-flowchart.md": (
        "# Wide flowchart\n\n```mermaid\nflowchart LR\n"
        + "".join(f"    s{i}[\"step {i} of a long chain\"] --> s{i + 1}\n" for i in range(8))
        + "```\n"
    ),
    "offsite.md": (
        "# Off-origin request\n\n"
        '<img src="https://cdn.invalid/pixel.png" alt="A pixel from another host" width="1" height="1">\n\n'
        '<script>console.error("fixture: an error in the console")</script>\n'
    ),
    "broken-link.md": (
        "# Broken links\n\n"
        '<a href="../no-such-page/">a page that does not exist</a> and '
        '<a href="../#no-such-anchor">an anchor that does not exist</a>.\n'
    ),
    "inaccessible.md": (
        "# Inaccessible\n\n"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">\n\n'
        '<p style="color: #bbbbbb">Light grey text on white.</p>\n'
    ),
    "copy-mismatch.md": "# Code that is not a snippet\n\n```python\nprint('typed on the page')\n```\n",
}


def make_fixture_project(tmp: Path) -> Path:
    project = tmp / "project"
    docs = project / "docs"
    # everything but the pages: hooks, theme overrides, stylesheets, vendored scripts
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    for name, text in PAGES.items():
        (docs / name).write_text(text)
    (project / "snippets" / "fixture").mkdir(parents=True)
    (project / "snippets" / "fixture" / "hello.py").write_text(SNIPPET)
    config = (ROOT / "mkdocs.yml").read_text().rstrip("\n") + "\n"
    nav = "nav:\n" + "".join(f"  - {name}\n" for name in PAGES)
    config, found = re.subn(r"^nav:\n(?:[ \t].*\n|\n)*", nav, config, flags=re.M)
    if not found:
        config += "\n" + nav
    (project / "mkdocs.yml").write_text(config)
    return project
