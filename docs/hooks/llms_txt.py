"""mkdocs-llmstxt's `preprocess` script (mkdocs.yml): the Markdown copy of each page keeps what the page shows.

The plugin turns each built page back into Markdown for /llms.txt's linked copies and /llms-full.txt. Its
own clean-up (`autoclean`) drops the content tabs' labels, which leaves "Docker" and "Debian" set-ups, or
the Redis and RabbitMQ versions of a step, one after another with nothing saying which is which; and
admonition titles and Mermaid diagrams lose what marks them. Before that clean-up runs, this script
- puts each tab's label as a bold line at the top of its content;
- writes each admonition's title in bold, after its kind ("Warning: ...");
- gives Mermaid diagrams their language, so they come out as ```mermaid blocks.
Code blocks are left alone: their text, `#>` output lines included, is what the page shows
(tests/test_llms_txt.py checks it).
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from mkdocs_llmstxt import autoclean


def _bold_line(soup: BeautifulSoup, text: str) -> Tag:
    line, strong = soup.new_tag("p"), soup.new_tag("strong")
    strong.string = text
    line.append(strong)
    return line


def _label_tabs(soup: BeautifulSoup) -> None:
    for tabs in soup.select("div.tabbed-set"):
        labels = tabs.select(":scope > div.tabbed-labels > label")
        blocks = tabs.select(":scope > div.tabbed-content > div.tabbed-block")
        for label, block in zip(labels, blocks, strict=True):
            block.insert(0, _bold_line(soup, label.get_text(" ", strip=True)))


def _title_admonitions(soup: BeautifulSoup) -> None:
    for title in soup.select("div.admonition > p.admonition-title, details > summary"):
        box = title.parent
        kind = next((c for c in box.get("class", []) if c != "admonition"), "note").capitalize()
        text = title.get_text(" ", strip=True)
        title.replace_with(_bold_line(soup, text if text.lower() == kind.lower() else f"{kind}: {text}"))


def _mark_diagrams(soup: BeautifulSoup) -> None:
    for diagram in soup.select("pre.mermaid"):
        diagram["class"] = [*diagram.get("class", []), "language-mermaid"]


def preprocess(soup: BeautifulSoup, output: str) -> None:
    _label_tabs(soup)
    _title_admonitions(soup)
    _mark_diagrams(soup)
    autoclean(soup)
