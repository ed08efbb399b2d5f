#!/usr/bin/env python3
"""Where a page's main-thread time goes, and what each suspect costs: one build, variants made in flight.

    .venv/bin/python bench/site_profile.py SITE_DIR compare/ [--runs 5] [--variants all]

Loads the page in Debian's Chromium (4x CPU slowdown, as Lighthouse's mobile preset) from a local server,
waits for the load and 3 s more, and reads Chromium's own counters (CDP Performance.getMetrics): style
recalculation, layout, script time, layout and style-recalc counts, DOM nodes. Each variant changes the
page as the browser receives it (Playwright routes), so every variant measures the same build:

- as-built: the page as served;
- no-line-spans: the per-line <span id="__span-..."> wrappers of `line_spans` removed;
- no-extra-css: the site's docs/stylesheets/extra.css not loaded;
- no-<feature>: one of Material's features (toc.follow, content.code.copy, content.code.annotate,
  content.tabs.link, navigation.top) dropped from the page's __config;
- no-material-js: Material's bundle not loaded (what the page costs without any of its scripts);
- no-mermaid: the Mermaid script not loaded (for builds that render diagrams in the browser).

Medians of N runs per variant, runs interleaved across variants so the machine's load hits all alike.
The machine's load average is printed: on a busy host absolute times inflate, the differences still show.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from services.browser import chromium, serve_dir  # noqa: E402

LINE_SPAN = re.compile(
    r'<span id="__span-\d+-\d+">((?:(?!<span id="__span-).)*?\n?)</span>(?=<span id="__span-|</code>)', re.S
)
FEATURES = ("toc.follow", "content.code.copy", "content.code.annotate", "content.tabs.link", "navigation.top")
METRICS = ("RecalcStyleDuration", "LayoutDuration", "ScriptDuration", "TaskDuration", "LayoutCount",
           "RecalcStyleCount", "Nodes")  # fmt: skip


def _without_features(page_html: str, drop: set[str]) -> str:
    def edit(m: re.Match) -> str:
        config = json.loads(m.group(1))
        config["features"] = [f for f in config["features"] if f not in drop]
        return f'<script id="__config" type="application/json">{json.dumps(config)}</script>'

    return re.sub(r'<script id="__config" type="application/json">(.*?)</script>', edit, page_html, flags=re.S)


def variants(names: list[str]) -> dict[str, dict]:
    """{name: {"html": fn(str) -> str or None, "block": regex of URLs not to load or None}}"""
    known = {
        "as-built": {},
        "no-line-spans": {"html": lambda h: LINE_SPAN.sub(r"\1", h)},
        "no-extra-css": {"block": r"stylesheets/extra\.css"},
        "no-material-js": {"block": r"assets/javascripts/bundle\."},
        "no-mermaid": {"block": r"mermaid"},
        **{f"no-{f}": {"html": (lambda h, f=f: _without_features(h, {f}))} for f in FEATURES},
        "no-copy-annotate-follow": {"html": lambda h: _without_features(
            h, {"content.code.copy", "content.code.annotate", "toc.follow"})},
    }
    return {n: known[n] for n in (list(known) if names == ["all"] else names)}


def measure(browser, url: str, variant: dict) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True)
    page = context.new_page()
    if variant.get("html"):
        fn = variant["html"]

        def rewrite(route):
            response = route.fetch()
            route.fulfill(response=response, body=fn(response.text()))

        page.route(url, rewrite)
    if variant.get("block"):
        page.route(re.compile(variant["block"]), lambda route: route.abort())
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    cdp.send("Performance.enable")
    page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_timeout(3000)
    got = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    context.close()
    return {k: got.get(k, 0) * (1000 if k.endswith("Duration") else 1) for k in METRICS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("page", nargs="+", help='pages, e.g. "" (Home) compare/')
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variants", default="all", help="comma-separated variant names, or all")
    args = parser.parse_args()
    chosen = variants(args.variants.split(","))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; 4x CPU slowdown; median of {args.runs}")
    with serve_dir(args.site) as base, chromium() as browser:
        for page in args.page:
            runs: dict[str, list[dict]] = {n: [] for n in chosen}
            for _ in range(args.runs):
                for name, variant in chosen.items():
                    runs[name].append(measure(browser, base + page, variant))
            print(f"\n{page or '/'}  (ms of main thread; counts)")
            print(f"  {'variant':<28} {'style':>7} {'layout':>7} {'script':>7} {'tasks':>7} {'layouts':>7} "
                  f"{'recalcs':>7} {'nodes':>6}")  # fmt: skip
            for name, results in runs.items():
                med = {k: statistics.median(r[k] for r in results) for k in METRICS}
                print(f"  {name:<28} {med['RecalcStyleDuration']:>7.0f} {med['LayoutDuration']:>7.0f} "
                      f"{med['ScriptDuration']:>7.0f} {med['TaskDuration']:>7.0f} {med['LayoutCount']:>7.0f} "
                      f"{med['RecalcStyleCount']:>7.0f} {med['Nodes']:>6.0f}", flush=True)  # fmt: skip
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
