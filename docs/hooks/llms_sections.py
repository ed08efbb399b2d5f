"""`/llms.txt` lists the pages in nav order: the llmstxt plugin's `sections` are made from `nav`, so a page added
to the nav is listed without a second list to keep in step (tests/test_llms_txt.py checks the result).

Top-level nav sections become sections of the same name; top-level single pages go under their own title
before the first section (Home) and under one closing section after it.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig

CLOSING = "Comparisons, capstone and benchmarks"


def _pages(items: list) -> list[str]:
    pages = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += _pages(value) if isinstance(value, list) else [value]
    return pages


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    sections: dict[str, list[str]] = {}
    seen_section = False
    for item in config.nav or []:
        title, value = next(iter(item.items())) if isinstance(item, dict) else (item, item)
        if isinstance(value, list):
            sections[title] = _pages(value)
            seen_section = True
        else:
            sections.setdefault(CLOSING if seen_section else title, []).append(value)
    config.plugins["llmstxt"].config.sections = sections
    return config
