"""MkDocs hook: give Material's search dialog an accessible name.

Material 9 renders `<div class="md-search" role="dialog">` without a name, which axe-core reports as
a serious violation (aria-dialog-name): a screen reader announces just "dialog". Zensical's template
already carries `aria-label="Search"`; this adds the same to MkDocs builds.
"""

from __future__ import annotations

DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED = '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">'


def on_post_page(output: str, **kwargs) -> str:
    return output.replace(DIALOG, NAMED, 1)


def on_post_template(output_content: str, template_name: str, **kwargs) -> str:
    """The same for static templates (404.html), which do not pass through on_post_page."""
    return output_content.replace(DIALOG, NAMED, 1)
