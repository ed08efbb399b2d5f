#!/usr/bin/env python3
"""Render the site's Mermaid diagrams to docs/diagrams/<hash>.svg (read by docs/hooks/diagrams.py).

    .venv/bin/python docs/hooks/render_diagrams.py          # the diagrams that have no SVG yet
    .venv/bin/python docs/hooks/render_diagrams.py --all    # every diagram again (Mermaid or theme changed)

Builds the site (with --all: every diagram left to the browser, GUIDE_DIAGRAMS=browser), opens each page
with a diagram in Debian's Chromium (Playwright with executable_path, never `playwright install`) and
lets Material render it with the vendored Mermaid (docs/javascripts/vendor/mermaid/, loaded by
docs/overrides/main.html): the SVG is exactly what a reader's browser would have drawn, with Material's
theme CSS, whose colours are CSS variables (--md-mermaid-*), so one SVG serves both palettes. Mermaid's
per-page ids (__mermaid_N) become ids made from the source hash, so two diagrams never share one.
SVGs that no page uses any more are deleted. Commit docs/diagrams/ afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
try:
    import playwright  # noqa: F401
except ImportError:  # Playwright lives in .venv (tests/requirements.txt)
    if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    sys.exit("playwright is missing: run python3 tests/run.py once (it creates .venv), then use .venv/bin/python")

sys.path[:0] = [str(HERE), str(ROOT / "tests")]
from diagrams import DIAGRAMS, source_hash, sources  # noqa: E402
from services.browser import chromium, serve_dir  # noqa: E402

OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (options) { return attach.call(this, { ...options, mode: "open" }); };
"""
RENDERED = """(n) => [...document.querySelectorAll("div.mermaid")]
  .filter(h => h.shadowRoot?.querySelector("svg")).length >= n"""
SVGS = """() => [...document.querySelectorAll("div.mermaid")].map(h => h.shadowRoot.innerHTML)"""
REVEAL = """h => { for (let n = h; n; n = n.parentElement) {
  if (n.tagName === "DETAILS") n.open = true;
  if (n.classList.contains("tabbed-block")) {
    const i = [...n.parentElement.children].indexOf(n);
    n.closest(".tabbed-set").querySelectorAll(":scope > input")[i].click();
  }
} h.scrollIntoView(); }"""
USED = re.compile(r'data-diagram="([0-9a-f]{16})"')
MERMAID_ID = re.compile(r"__mermaid_\d+(?!\d)")
PATH_DATA = re.compile(r'\b(d|points|transform)="([^"]*)"')
LONG_NUMBER = re.compile(r"-?\d+\.\d{3,}")


# Colours Material's theme CSS (written for an older Mermaid) does not reach: xychart's background, text and
# axes; a sequence diagram's arrowheads (Mermaid 11 ids them "<id>-arrowhead", Material styles "#arrowhead")
# and its "else" section titles. Without these they stay near-black, invisible in the dark palette.
PALETTE_CSS = {
    "xychart": ("#{id} .background{{fill:none}}#{id} text{{fill:var(--md-mermaid-label-fg-color)}}"
                "#{id} .left-axis path,#{id} .bottom-axis path,#{id} .top-axis path"
                "{{stroke:var(--md-mermaid-edge-color)}}"),
    "sequence": ('#{id} [id$="-arrowhead"] path,#{id} [id$="-filled-head"] path'
                 "{{fill:var(--md-mermaid-sequence-message-line-color);stroke:none}}"
                 '#{id} [id$="-crosshead"] path{{stroke:var(--md-mermaid-sequence-message-line-color)}}'
                 "#{id} .sectionTitle{{fill:var(--md-mermaid-sequence-loop-fg-color)}}"),
}
WIDTHS = """() => [...document.querySelectorAll("div.guide-diagram")].map(h => {
  const svg = h.shadowRoot.querySelector("svg");
  return [h.dataset.diagram, svg.getAttribute("aria-roledescription"), h.scrollWidth, h.clientWidth,
          Math.round(100 * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width) / 100];
})"""


def palette_css(key: str, svg: str) -> str:
    kind = re.search(r'aria-roledescription="([^"]+)"', svg)
    css = PALETTE_CSS.get(kind.group(1) if kind else "", "").format(id=f"d{key}")
    if not css or css in svg:
        return svg
    return svg.replace("</style>", css + "</style>", 1)


MIN_WIDTH = re.compile(r'style="min-width: (\d+)px; max-width: ([\d.]+)px;"')
COLUMN_PX = 680  # Material's content column at 1280 px (688 px), with the right-hand table of contents


def fit_sequence(svg: str) -> str:
    """A sequence diagram fits the column at 1280 px: it may shrink below 75 % (docs/overrides/main.html's
    minimum, kept on phones where it scrolls sideways) down to the column's width (browser_checks: >= 0.64)."""
    if 'aria-roledescription="sequence"' not in svg:
        return svg

    def width(m: re.Match) -> str:
        natural = float(m.group(2))
        return f'style="min-width: {min(round(natural * 0.75), COLUMN_PX)}px; max-width: {m.group(2)}px;"'

    return MIN_WIDTH.sub(width, svg, count=1)


SYMBOL = re.compile(r'<symbol id="([^"]+)".*?</symbol>', re.S)


def compact(svg: str) -> str:
    """Coordinates to 2 decimals (Mermaid writes 15: a rounded box's outline is 12 KB of path data), always
    written with both decimals ("1.00", never "1": in "1.0004.5" the next number starts at the dot), and
    the icon <symbol>s Mermaid adds to every sequence diagram dropped unless the diagram uses them."""
    def short(number: re.Match) -> str:
        return f"{float(number.group(0)):.2f}"

    svg = SYMBOL.sub(lambda m: m.group(0) if f"#{m.group(1)}" in svg else "", svg)
    return PATH_DATA.sub(lambda m: f'{m.group(1)}="{LONG_NUMBER.sub(short, m.group(2))}"', svg)


def build(out: Path, every: bool) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **({"GUIDE_DIAGRAMS": "browser"} if every else {})}
    cmd = [str(VENV_PYTHON), "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"mkdocs build failed:\n{done.stdout}\n{done.stderr}")


def render(site: Path) -> tuple[dict[str, str], set[str]]:
    """({hash: svg} for the diagrams left to the browser, {hashes of diagrams already pre-rendered})."""
    rendered, used = {}, set()
    with serve_dir(site) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(OPEN_SHADOW_ROOTS)
        for path in sorted(site.rglob("*.html")):
            text = path.read_text()
            used |= set(USED.findall(text))
            todo = sources(text)
            if not todo:
                continue
            page = context.new_page()
            url = base + path.relative_to(site).as_posix().removesuffix("index.html")
            page.goto(url, wait_until="load", timeout=180_000)
            page.wait_for_function(RENDERED, arg=len(todo), timeout=120_000)
            svgs = page.evaluate(SVGS)
            page.close()
            for source, svg in zip(todo, svgs, strict=True):
                key = source_hash(source)
                if "Syntax error" in svg or 'aria-roledescription="error"' in svg:
                    sys.exit(f"{url}: Mermaid could not render diagram {key}:\n{source}")
                rendered[key] = fit_sequence(palette_css(key, compact(MERMAID_ID.sub(f"d{key}", svg))))
                (DIAGRAMS / f"{key}.svg").write_text(rendered[key].strip() + "\n")  # kept if a later page fails
                print(f"  {path.relative_to(site).parent.as_posix() or '/'}: {key} ({len(svg):,} bytes)")
    return rendered, used


def screenshots(out: Path, built: Path | None = None) -> None:
    """Each pre-rendered diagram at 1280 px in the light and the dark palette, for a person to look at;
    prints each diagram's width against its column (a diagram wider than the column scrolls sideways)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = built or Path(tmp) / "site"
        if not built:
            build(site, every=False)
        with serve_dir(site) as base, chromium() as browser:
            for scheme in ("light", "dark"):
                context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
                for path in sorted(site.rglob("*.html")):
                    if 'class="guide-diagram"' not in path.read_text():
                        continue
                    rel = path.relative_to(site).as_posix().removesuffix("index.html")
                    page = context.new_page()
                    page.goto(base + rel, wait_until="load", timeout=180_000)
                    for i, host in enumerate(page.locator("div.guide-diagram").all()):
                        host.evaluate(REVEAL)
                        name = f"{rel.strip('/').replace('/', '-') or 'index'}-{i}-{scheme}.png"
                        host.screenshot(path=str(out / name))
                    if scheme == "light":
                        for key, kind, width, column, scale in page.evaluate(WIDTHS):
                            wide = "SCROLLS" if width > column + 1 else "fits"
                            print(f"  {rel or '/'} {key} {kind}: {width} px in a {column} px column, "
                                  f"scale {scale}: {wide}")
                    page.close()
                context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="render every diagram again")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="only take screenshots of the diagrams")
    parser.add_argument("--site", type=Path, help="with --screenshots: this build instead of a fresh one")
    args = parser.parse_args()
    if args.screenshots:
        screenshots(args.screenshots, args.site)
        return 0
    DIAGRAMS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp) / "site", args.all)
        rendered, used = render(Path(tmp) / "site")
    stale = [p for p in DIAGRAMS.glob("*.svg") if p.stem not in used | set(rendered)]
    for path in stale:
        path.unlink()
    print(f"{len(rendered)} diagram(s) rendered, {len(used)} already up to date, {len(stale)} unused SVG(s) deleted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
