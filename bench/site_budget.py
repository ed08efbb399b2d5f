#!/usr/bin/env python3
"""The site's budgets, printed: Lighthouse on every kind of page (before and after), page weight, build time.

    .venv/bin/python bench/site_budget.py --before main   # Lighthouse table, this tree vs main (~20-40 min)
    .venv/bin/python bench/site_budget.py --full          # also build times (MkDocs vs Zensical), page weights
                                                          # and the browser checks over the Zensical build
    .venv/bin/python bench/site_budget.py --check         # quick: the pages and the server, no Lighthouse
    .venv/bin/python bench/site_budget.py --json out.json

1. Lighthouse (npm `lighthouse`, bench/package.json, CHROME_PATH=Debian's Chromium), mobile preset
   (simulated slow 4G, 4x CPU slowdown) and desktop preset, median of N runs (3), served the way GitHub
   Pages serves the site: gzip on. Pages: Home, compare/, redis/data-types/ and the largest page of each
   kind (plain: no diagram and no tabs; long: most code blocks; with diagrams; with tabs). Each row prints
   performance, accessibility, TBT, CLS, the main thread's Style & Layout and script time, and Lighthouse's
   CPU benchmark index of each run. Goals: performance >= 95, TBT <= 200 ms, CLS 0, accessibility 100.
   `--before REF` builds the site from that git ref too (its docs/, snippets/, mkdocs.yml) and prints both.
2. (--full) Build time: `mkdocs build --strict` vs `zensical build --strict` (.venv-zensical from
   bench/requirements-zensical.txt) on fresh temp copies; median of N runs. Both builds must succeed.
3. (--full) Page weight: every page in headless Chromium, cold cache, bytes transferred with gzip, after
   scrolling to the bottom. Budget: 400 KB for a page without a diagram.
4. (--full) The browser checks of tests/browser_checks over the Zensical build: what readers would lose
   if the site moved today (Zensical ignores MkDocs `hooks:`; docs/overrides/main.html covers both).

Numbers depend on the machine and its load: the script prints the CPU benchmark index and the load
average next to them (a quiet 2-core host gives an index of about 2,400-2,900; under load it drops).
Budgets are printed as verdicts, not asserted (exit status 0), except that builds must succeed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import hashlib
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
ZENSICAL_VENV = ROOT / ".venv-zensical"
PAGE_BUDGET = 400 * 1024
GOALS = {"performance": 95, "accessibility": 100}

try:  # Playwright and the test helpers live in .venv: re-run there when started with another Python
    import playwright  # noqa: F401
except ImportError:
    if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    sys.exit("playwright is missing: run python3 tests/run.py once (it creates .venv), then use .venv/bin/python")

sys.path.insert(0, str(ROOT / "tests"))
from browser_checks.site import site_pages  # noqa: E402
from services.browser import chromium, chromium_path, serve_dir  # noqa: E402


def log(msg: str) -> None:
    print(f"[site_budget] {msg}", file=sys.stderr, flush=True)


def _stamp_ok(stamp: Path, *inputs: Path) -> tuple[bool, str]:
    want = hashlib.sha256(b"".join(p.read_bytes() for p in inputs)).hexdigest()
    return stamp.exists() and stamp.read_text() == want, want


def ensure_zensical() -> Path:
    requirements = BENCH / "requirements-zensical.txt"
    stamp = ZENSICAL_VENV / ".requirements.sha256"
    ok, want = _stamp_ok(stamp, requirements)
    if not ok:
        log(f"installing {requirements.relative_to(ROOT)} into {ZENSICAL_VENV.name}/")
        if not (ZENSICAL_VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(ZENSICAL_VENV)], check=True)
        pip = [str(ZENSICAL_VENV / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "-r", str(requirements)], check=True)
        stamp.write_text(want)
    return ZENSICAL_VENV / "bin" / "zensical"


def ensure_lighthouse() -> Path:
    stamp = BENCH / "node_modules" / ".lock.sha256"
    ok, want = _stamp_ok(stamp, BENCH / "package-lock.json")
    if not ok:
        if not shutil.which("npm"):
            sys.exit("npm is needed for Lighthouse: apt-get install nodejs npm")
        log("installing Lighthouse (bench/package-lock.json)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH, check=True)
        stamp.write_text(want)
    return BENCH / "node_modules" / "lighthouse" / "cli" / "index.js"


# -- 1. build time ----------------------------------------------------------------------------------


def _snippet_base_paths() -> list[str]:
    """pymdownx.snippets' base_path from mkdocs.yml (snippets/, and e.g. bench/results for the Benchmarks page)."""
    import yaml

    loader = type("_Loader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)  # !!python/name: entries
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=loader)
    for ext in config["markdown_extensions"]:
        if isinstance(ext, dict) and "pymdownx.snippets" in ext:
            return list(ext["pymdownx.snippets"].get("base_path", ["."]))
    return []


def _project_copy(tmp: Path) -> Path:
    """What a build reads: docs/ (pages, hooks, overrides), the snippet folders, mkdocs.yml."""
    project = tmp / "project"
    for name in ("docs", *_snippet_base_paths()):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project


def _timed(cmd: list[str], cwd: Path, what: str) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{what} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def build_times(runs: int, zensical: Path) -> dict:
    mkdocs, zensical_times, zensical_site = [], [], None
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            project = _project_copy(Path(tmp))
            cmd = [str(VENV_PYTHON), "-m", "mkdocs", "build", "--strict", "-q", "-d", str(Path(tmp) / "out")]
            mkdocs.append(_timed(cmd, project, "mkdocs build --strict"))
        with tempfile.TemporaryDirectory() as tmp:
            project = _project_copy(Path(tmp))
            cmd = [str(zensical), "build", "--clean", "--strict", "-f", "mkdocs.yml"]
            zensical_times.append(_timed(cmd, project, "zensical build"))
            if i == 0:
                zensical_site = Path(tempfile.mkdtemp(prefix="zensical-site-"))
                shutil.copytree(project / "site", zensical_site, dirs_exist_ok=True)
    m, z = statistics.median(mkdocs), statistics.median(zensical_times)
    return {"runs": runs, "mkdocs_s": round(m, 2), "zensical_s": round(z, 2),
            "ratio_mkdocs_over_zensical": round(m / z, 1),
            "mkdocs_all_s": [round(t, 2) for t in mkdocs], "zensical_all_s": [round(t, 2) for t in zensical_times],
            "zensical_site": str(zensical_site)}  # fmt: skip


# -- 2. page weight ---------------------------------------------------------------------------------


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped like GitHub Pages does for text (HTML, CSS, JS, JSON, SVG, XML)."""

    TEXT = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", "/")

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not wants_gzip or not path.endswith(self.TEXT) or not os.path.isfile(path):
            return super().send_head()
        body = _gzipped(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


@functools.cache
def _gzipped(path: str) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6)


def serve_gzip(directory: Path):
    return serve_dir(directory, _GzipHandler)


SETTLE = """
async () => {
  for (let y = 0; y <= document.body.scrollHeight; y += window.innerHeight / 2) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 50));
  }
  const deadline = Date.now() + 20000;
  while (document.querySelector("pre.mermaid") && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
}
"""


def page_weights(site: Path) -> list[dict]:
    """[{url, diagrams, transferred, uncompressed, requests}] for every page, cold cache each."""
    rows = []
    with serve_gzip(site) as base, chromium() as browser:
        for page in site_pages(site):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            tab = context.new_page()
            finished: list = []

            def record(request, sink=finished) -> None:  # Playwright needs a Python function here
                sink.append(request)

            tab.on("requestfinished", record)
            tab.goto(base + page.url, wait_until="load")
            tab.evaluate(SETTLE)
            tab.wait_for_load_state("networkidle")
            transferred = uncompressed = 0
            for request in finished:
                sizes = request.sizes()
                transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                response = request.response()
                uncompressed += len(response.body()) if response else 0
            rows.append({"url": page.url, "diagrams": page.diagrams, "transferred": transferred,
                         "uncompressed": uncompressed, "requests": len(finished)})  # fmt: skip
            context.close()
    return rows


# -- 3. Lighthouse on every kind of page ------------------------------------------------------------

GOAL_TBT_MS, GOAL_CLS = 200, 0.0
FIXED_PAGES = {"Home": "", "compare/": "compare/", "redis/data-types/": "redis/data-types/"}
# A pre-rendered diagram (docs/hooks/diagrams.py) or one Mermaid renders in the browser (before it, and Zensical)
DIAGRAM_MARKS = ('class="mermaid"', 'class="guide-diagram"')


def page_stats(site: Path) -> dict[str, dict]:
    """{url: {bytes, code, diagrams, tabs}} for every page of a build (404 left out)."""
    stats = {}
    for page in site_pages(site, include_404=False):
        text = page.path.read_text()
        stats[page.url] = {"bytes": len(text.encode()), "code": text.count('<div class="language-'),
                           "diagrams": sum(text.count(m) for m in DIAGRAM_MARKS),
                           "tabs": text.count('<div class="tabbed-set')}  # fmt: skip
    return stats


def pages_to_measure(site: Path) -> dict[str, str]:
    """{row label: url}: the three pages of issue 18's table, then the largest page of each kind."""
    stats = page_stats(site)
    chosen = {label: url for label, url in FIXED_PAGES.items() if url in stats}
    plain = [u for u, s in stats.items() if not s["diagrams"] and not s["tabs"]]
    kinds = {
        "largest plain": max(plain, key=lambda u: stats[u]["bytes"]) if plain else None,
        "most code blocks": max(stats, key=lambda u: (stats[u]["code"], stats[u]["bytes"])),
        "most diagrams": max(stats, key=lambda u: (stats[u]["diagrams"], stats[u]["bytes"])),
        "most tab sets": max(stats, key=lambda u: (stats[u]["tabs"], stats[u]["bytes"])),
    }
    for label, url in kinds.items():
        if url is None:
            continue
        s = stats[url]
        counts = f"({s['code']} code, {s['diagrams']} diagrams, {s['tabs']} tab sets)"
        same = next((k for k, v in chosen.items() if v == url), None)
        if same:  # one row per page: a page of the fixed three that is also the largest of a kind
            chosen[f"{same} = {label} {counts}"] = chosen.pop(same)
        else:
            chosen[f"{label}: {url or '/'} {counts}"] = url
    return chosen


def _median_run(results: list[dict]) -> dict:
    middle = statistics.median(r["performance"] for r in results)
    median = min(results, key=lambda r: abs(r["performance"] - middle))
    return {**median, "performance_all": [r["performance"] for r in results],
            "benchmark_all": [r["benchmark_index"] for r in results]}  # fmt: skip


def _breakdown(audits: dict) -> dict[str, int]:
    """Main-thread time by group (Lighthouse's mainthread-work-breakdown), in ms."""
    items = (audits.get("mainthread-work-breakdown", {}).get("details") or {}).get("items", [])
    return {i["group"]: round(i["duration"]) for i in items}


def lighthouse(cli: Path, url: str, preset: str) -> dict:
    """One Lighthouse run of `url` with `preset`: scores, timings, main-thread breakdown, CPU benchmark index."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={out}",
               "--only-categories=performance,accessibility", "--max-wait-for-load=180000",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]  # fmt: skip
        if preset == "desktop":
            cmd.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": chromium_path()}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0 or not out.exists():
            sys.exit(f"lighthouse failed for {url}:\n{done.stderr[-3000:]}")
        report = json.loads(out.read_text())
    audits = report["audits"]
    work = _breakdown(audits)
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "dom_nodes": round(audits.get("dom-size", {}).get("numericValue", 0)),
        "style_layout_ms": work.get("styleLayout", 0), "script_ms": work.get("scriptEvaluation", 0),
        "benchmark_index": round(report["environment"]["benchmarkIndex"]),
        "load_average": round(os.getloadavg()[0], 1),
    }  # fmt: skip


def meets(lh: dict) -> bool:
    return (lh["performance"] >= GOALS["performance"] and lh["tbt_ms"] <= GOAL_TBT_MS and lh["cls"] <= GOAL_CLS
            and lh["accessibility"] >= GOALS["accessibility"])  # fmt: skip


def lighthouse_table(cli: Path, sites: dict[str, Path], pages: dict[str, str], presets: list[str],
                     runs: dict[str, int]) -> dict:
    """{site label: {row label: {preset: median result}}}. The runs of the sites alternate (before, after,
    before, ...) so a change in the machine's load hits both alike; rows are printed as they are measured."""
    out: dict = {name: {label: {} for label in pages} for name in sites}
    with contextlib.ExitStack() as stack:
        bases = {name: stack.enter_context(serve_gzip(site)) for name, site in sites.items()}
        for label, url in pages.items():
            for preset in presets:
                results: dict[str, list] = {name: [] for name in sites}
                n = runs.get(preset, 3)
                for i in range(n):
                    for name, base in bases.items():
                        log(f"lighthouse {name} {preset} {url or '/'} run {i + 1}/{n}")
                        results[name].append(lighthouse(cli, base + url, preset))
                for name in sites:
                    lh = out[name][label][preset] = _median_run(results[name])
                    print(f"  {name:<6} {preset:<7} {_row(label, lh)}", flush=True)
    return out


def _row(label: str, lh: dict) -> str:
    return (f"{label[:70]:<70} perf {lh['performance']:>3} {lh['performance_all']!s:<13} "
            f"a11y {lh['accessibility']:>3}  TBT {lh['tbt_ms']:>5} ms  CLS {lh['cls']:<5}  "
            f"LCP {lh['lcp_ms']:>5} ms  style&layout {lh['style_layout_ms']:>5} ms  script {lh['script_ms']:>5} ms  "
            f"DOM {lh['dom_nodes']:>5}  CPU benchmark index {lh['benchmark_index']} {lh['benchmark_all']}  "
            f"load {lh['load_average']}  {'meets the goals' if meets(lh) else 'BELOW the goals'}")  # fmt: skip


def print_comparison(table: dict, presets: list[str]) -> None:
    names = list(table)
    print(f"\nbefore/after (median of the runs; goals: performance >= {GOALS['performance']}, TBT <= {GOAL_TBT_MS} ms,"
          f" CLS {GOAL_CLS:g}, accessibility {GOALS['accessibility']}; CPU benchmark index in brackets)")  # fmt: skip
    print(f"| page | preset | {' | '.join(f'{n}: perf / TBT / CLS / a11y [index]' for n in names)} |")
    print("|---|---|" + "---|" * len(names))
    for label in table[names[-1]]:
        for preset in presets:
            cells = []
            for n in names:
                lh = table[n].get(label, {}).get(preset)
                cells.append(f"{lh['performance']} / {lh['tbt_ms']} ms / {lh['cls']:g} / {lh['accessibility']} "
                             f"[{lh['benchmark_index']}]" if lh else "-")  # fmt: skip
            print(f"| {label} | {preset} | {' | '.join(cells)} |")


def build_ref(ref: str, out: Path) -> Path:
    """Build the site as it was at git ref `ref` (its docs/, snippet folders and mkdocs.yml) into `out`."""
    project = out.parent / "before-project"
    project.mkdir(parents=True)
    paths = ["docs", "snippets", "bench/results", "mkdocs.yml"]
    archive = subprocess.run(["git", "archive", ref, *paths], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(project)], input=archive, check=True)
    _timed([str(VENV_PYTHON), "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)], project, f"build of {ref}")
    return out


def check(site: Path) -> dict:
    """Quick correctness of what the bench relies on (the test suite runs this): the pages it would
    measure exist, and the server gzips text like GitHub Pages."""
    import urllib.request

    pages = pages_to_measure(site)
    with serve_gzip(site) as base:
        for url in pages.values():
            request = urllib.request.Request(base + url, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.headers["Content-Encoding"] == "gzip", url
                assert b"<html" in gzip.decompress(response.read()), url
    for label, url in pages.items():
        print(f"  would measure {label} -> {url or '/'}")
    return pages


# -- main -------------------------------------------------------------------------------------------


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB"


def print_weights(rows: list[dict]) -> dict:
    print("\npage weight (transferred, gzip as GitHub Pages serves; cold cache; whole page scrolled)")
    print(f"  {'page':<32} {'transferred':>12} {'uncompressed':>13} {'requests':>8}  diagrams  budget")
    for row in rows:
        within = row["transferred"] <= PAGE_BUDGET
        verdict = "n/a (diagram)" if row["diagrams"] else ("ok" if within else "OVER 400 KB")
        print(f"  {row['url'] or '/':<32} {kb(row['transferred']):>12} {kb(row['uncompressed']):>13} "
              f"{row['requests']:>8}  {row['diagrams']:>8}  {verdict}")  # fmt: skip
    heaviest = max(rows, key=lambda r: r["transferred"])
    print(f"  largest page: {heaviest['url'] or '/'} ({kb(heaviest['transferred'])})")
    return heaviest


def zensical_checks(zensical_site: Path) -> dict:
    """What a move to Zensical would change for readers today: the browser checks over its build."""
    from browser_checks.live import CHECKS, check_site

    log("running the browser checks over the Zensical build")
    report = check_site(zensical_site, ROOT)
    found = {c: report.problems(c) for c in CHECKS}
    print("\nZensical build in the browser (tests/browser_checks over its site/; 0 = passes):")
    for c, pages in found.items():
        first = next((f"{url or '/'}: {problems[0].splitlines()[0]}" for url, problems in pages.items()), "")
        print(f"  {c:<8} {sum(map(len, pages.values())):>3} problem(s) on {len(pages)} page(s)  {first[:110]}")
    return {c: sum(map(len, pages.values())) for c, pages in found.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--site", type=Path, help="measure this MkDocs build instead of building the tree")
    parser.add_argument("--before", metavar="REF", help="also build and measure the site at this git ref")
    parser.add_argument("--before-site", type=Path, help="a build to measure as 'before' (instead of --before)")
    parser.add_argument("--before-json", type=Path, help="the 'before' numbers from an earlier run's --json")
    parser.add_argument("--name", default="after", help="the column name of the measured site (default: after)")
    parser.add_argument("--full", action="store_true", help="also build times, page weights, Zensical checks")
    parser.add_argument("--check", action="store_true", help="quick: pages to measure and gzip server, no Lighthouse")
    parser.add_argument("--builds", type=int, default=5, help="build runs per builder (--full)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and preset (median)")
    parser.add_argument("--desktop-runs", type=int, help="Lighthouse desktop runs (default: --runs)")
    parser.add_argument("--presets", default="mobile,desktop", help="Lighthouse presets, comma-separated")
    parser.add_argument("--only", help="measure only these row labels' pages (comma-separated URLs)")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args()
    presets = args.presets.split(",")
    result: dict = {"load_average_at_start": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            _timed([str(VENV_PYTHON), "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], ROOT, "mkdocs build")
        if args.check:
            result["pages"] = check(site)
            print("check: ok")
            return 0
        sites = {}
        before = json.loads(args.before_json.read_text())["lighthouse"] if args.before_json else None
        if args.before_site or args.before:
            sites["before"] = args.before_site or build_ref(args.before, Path(tmp) / "before-site")
        sites[args.name] = site
        pages = pages_to_measure(site)
        if args.only:
            pages = {label: url for label, url in pages.items() if url in args.only.split(",")}
        cli = ensure_lighthouse()
        version = json.loads((BENCH / "node_modules" / "lighthouse" / "package.json").read_text())["version"]
        print(f"Lighthouse {version}, median of {args.runs} (desktop {args.desktop_runs or args.runs}), gzip on; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        runs = {"mobile": args.runs, "desktop": args.desktop_runs or args.runs}
        result["lighthouse"] = lighthouse_table(cli, sites, pages, presets, runs)
        if before:  # measured earlier (--json of a run named "before", or of a run with a single column)
            earlier = before["before"] if "before" in before else next(iter(before.values()))
            result["lighthouse"] = {"before": earlier, **result["lighthouse"]}
        print_comparison(result["lighthouse"], presets)
        if args.full:
            zensical = ensure_zensical()
            log(f"building the site {args.builds}x with mkdocs and with zensical")
            b = result["build"] = build_times(args.builds, zensical)
            print(f"\nbuild time (median of {b['runs']}): mkdocs build --strict {b['mkdocs_s']} s, "
                  f"zensical build {b['zensical_s']} s; ratio mkdocs/zensical = {b['ratio_mkdocs_over_zensical']}x")
            log("measuring page weights")
            result["pages"] = page_weights(site)
            result["largest_page"] = print_weights(result["pages"])["url"]
            zensical_site = Path(result["build"].pop("zensical_site"))
            result["zensical_browser_checks"] = zensical_checks(zensical_site)
            shutil.rmtree(zensical_site, ignore_errors=True)
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\nmachine: {result['cpus']} CPUs, load average {result['load_average_at_start']} at start, "
          f"{result['load_average_at_end']} at end")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
