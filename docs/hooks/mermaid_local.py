"""MkDocs hook: load the vendored Mermaid only on pages that have a diagram.

Material renders `<pre class="mermaid">` blocks with `window.mermaid`, and fetches a copy from a CDN
when it is undefined. Loading our copy (docs/javascripts/mermaid/) before Material's bundle keeps the
site offline; pages without diagrams never download its 3.5 MB.

Wide diagrams: Mermaid scales an SVG down to the content width, so a long left-to-right flowchart
ends up with 7 px text. A small wrapper around `mermaid.render` gives each SVG a minimum width of
75 % of its natural size (text stays >= 12 px); extra.css lets the diagram scroll sideways instead,
and the diagram gets tabindex="0" so keyboard users can scroll it too (as Material does for code).
"""

from __future__ import annotations

from mkdocs.utils import get_relative_url

MERMAID = "javascripts/mermaid/mermaid.min.js"
MIN_SCALE = 0.75

READABLE = """<script>
      (function (mermaid) {  // wide diagrams: no smaller than %(scale)s of their natural size
        var render = mermaid.render.bind(mermaid);
        mermaid.render = function () {
          return render.apply(null, arguments).then(function (out) {
            var box = /viewBox="[-\\d.e]+ [-\\d.e]+ ([\\d.e]+)/.exec(out.svg);
            if (box) {
              var min = Math.round(parseFloat(box[1]) * %(scale)s);
              out.svg = out.svg.replace(/style="max-width:/, 'style="min-width: ' + min + 'px; max-width:');
            }
            setTimeout(function () {  // after Material swapped in the diagram: a scrolling one needs the keyboard too
              document.querySelectorAll("div.mermaid:not([tabindex])").forEach(function (host) { host.tabIndex = 0; });
            });
            return out;
          });
        };
      })(window.mermaid);
    </script>
      """ % {"scale": MIN_SCALE}


def on_post_page(output: str, page, **kwargs) -> str:
    if 'class="mermaid"' not in output:
        return output
    src = get_relative_url(MERMAID, page.url)
    bundle_src = output.find("assets/javascripts/bundle.")
    bundle = output.rfind("<script", 0, bundle_src) if bundle_src != -1 else -1
    if bundle == -1:
        raise RuntimeError(f"{page.file.src_uri}: Material's bundle script not found; cannot load Mermaid before it")
    return output[:bundle] + f'<script src="{src}"></script>\n    ' + READABLE + output[bundle:]
