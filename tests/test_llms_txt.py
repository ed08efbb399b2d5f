"""/llms.txt and /llms-full.txt (mkdocs-llmstxt): every page, in nav order, with the code the page shows.

The plugin turns each built page back into Markdown (docs/hooks/llms_txt.py keeps tab labels and admonition
titles); these tests read what the strict build wrote.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml
from sitebuild import ROOT, code_blocks

FENCE = re.compile(r"^(`{3,}|~{3,})([\w+-]*)\n(.*?)\n?\1$", re.S | re.M)
LINK = re.compile(r"^- \[(.+?)\]\((\S+?)\)", re.M)
H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
HEADERLINK = re.compile(r'<a class="headerlink".*?</a>', re.S)
TAB_LABELS = re.compile(r'<div class="tabbed-labels">(.*?)</div>', re.S)


def _config() -> dict:
    loader = type("_Loader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)  # !!python/name: entries
    return yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=loader)


def _nav_pages(items) -> list[str]:
    """The Markdown files of the nav, in order: entries are "page.md", {title: "page.md"} or {title: [...]}."""
    pages = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def _html_page(site: Path, src: str) -> Path:
    """Where MkDocs (use_directory_urls) writes a page: redis/data-types.md -> redis/data-types/index.html."""
    stem = src.removesuffix(".md")
    return site / (f"{stem}.html" if stem == "index" or stem.endswith("/index") else f"{stem}/index.html")


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", HEADERLINK.sub("", fragment))).strip()


def test_llms_txt_lists_every_nav_page_in_nav_order(built_site):
    config = _config()
    listed = [url for _title, url in LINK.findall((built_site / "llms.txt").read_text())]
    expected = [
        config["site_url"] + _html_page(built_site, src).relative_to(built_site).with_suffix(".md").as_posix()
        for src in _nav_pages(config["nav"])
    ]
    assert listed == expected
    assert all((built_site / url.removeprefix(config["site_url"])).is_file() for url in listed)


def test_full_text_holds_every_page_title_in_nav_order(built_site):
    full = (built_site / "llms-full.txt").read_text()
    at = 0
    for src in _nav_pages(_config()["nav"]):
        [title] = H1.findall(_html_page(built_site, src).read_text())[:1]
        heading = f"\n# {_text(title)}\n"
        assert heading in full[at:], f"{src}: {heading.strip()!r} missing from llms-full.txt (or out of nav order)"
        at = full.index(heading, at)


def _rstripped(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


def test_each_markdown_copy_shows_the_code_its_page_shows(built_site):
    """Same blocks, same order, same language, same text: `#>` output lines and console prompts included."""
    checked = 0
    for src in _nav_pages(_config()["nav"]):
        page = _html_page(built_site, src)
        copy = page.with_suffix(".md").read_text()
        # trailing spaces aside: Markdown does not keep them (e.g. a server error text ending in a space)
        fenced = [(lang, _rstripped(text)) for _fence, lang, text in FENCE.findall(copy) if lang != "mermaid"]
        shown = [(lang, _rstripped(text)) for lang, text in code_blocks(page.read_text())]
        assert fenced == shown, src
        checked += len(shown)
    full = (built_site / "llms-full.txt").read_text()
    assert checked > 100 and full.count("\n#> ") >= 100  # the site's snippets, with their output lines


def test_tab_labels_and_admonition_titles_are_kept(built_site):
    """The plugin's clean-up drops tab labels; docs/hooks/llms_txt.py puts each back above its tab's content."""
    tab_sets = 0
    for src in _nav_pages(_config()["nav"]):
        page = _html_page(built_site, src)
        copy = page.with_suffix(".md").read_text()
        at = 0
        for labels in TAB_LABELS.findall(page.read_text()):
            tab_sets += 1
            for label in re.findall(r"<label\b[^>]*>(.*?)</label>", labels, re.S):
                line = f"\n**{_text(label)}**\n"
                assert line in copy[at:], f"{src}: tab label {line.strip()} missing (or out of order)"
                at = copy.index(line, at)
    assert tab_sets > 10
    index = (built_site / "index.md").read_text()
    assert "\n**Info: What the tests run against**\n" in index
