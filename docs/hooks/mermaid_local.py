"""MkDocs hook: load the vendored Mermaid only on pages that have a diagram.

Material renders `<pre class="mermaid">` blocks with `window.mermaid`, and fetches a copy from a CDN
when it is undefined. Loading our copy (docs/javascripts/mermaid/) before Material's bundle keeps the
site offline; pages without diagrams never download its 3.5 MB.
"""

from __future__ import annotations

from mkdocs.utils import get_relative_url

MERMAID = "javascripts/mermaid/mermaid.min.js"


def on_post_page(output: str, page, **kwargs) -> str:
    if 'class="mermaid"' not in output:
        return output
    src = get_relative_url(MERMAID, page.url)
    bundle_src = output.find("assets/javascripts/bundle.")
    bundle = output.rfind("<script", 0, bundle_src) if bundle_src != -1 else -1
    if bundle == -1:
        raise RuntimeError(f"{page.file.src_uri}: Material's bundle script not found; cannot load Mermaid before it")
    return output[:bundle] + f'<script src="{src}"></script>\n      ' + output[bundle:]
