#!/usr/bin/env python3
"""The site's budgets, printed: page weight, Lighthouse scores, and build time with MkDocs vs Zensical.

    .venv/bin/python bench/site_budget.py            # full run (several minutes on 2 cores)
    .venv/bin/python bench/site_budget.py --tiny     # one of everything (what the test suite runs)
    .venv/bin/python bench/site_budget.py --json out.json

1. Build time: `mkdocs build --strict` of the whole site, and the same mkdocs.yml built with
   Zensical (`zensical build --clean --strict`, from .venv-zensical made from bench/requirements-zensical.txt),
   each on a fresh temp copy of docs/, snippets/ and mkdocs.yml; median of N runs, and the ratio.
   Both builds must succeed: the site stays ready to move to Zensical.
2. Page weight: every page of the MkDocs build loaded in headless Chromium with a cold cache, from a
   local server that gzips text the way GitHub Pages does; the bytes transferred (headers + bodies,
   including what the search worker fetches), after scrolling to the bottom and letting diagrams
   render. Budget: 400 KB for a page without a diagram. The largest page is reported.
3. Lighthouse (npm `lighthouse`, bench/package.json, with CHROME_PATH=Chromium) performance and
   accessibility scores for the Home page and the heaviest page (and the heaviest page without a
   diagram, for comparison); mobile preset (Lighthouse's default:
   simulated slow 4G and a 4x slower CPU) and desktop preset; median of N runs. Goals: 95 and 100.
4. (full run only) The browser checks of tests/browser_checks over the Zensical build: what readers
   would lose if the site moved today. Zensical ignores MkDocs `hooks:`; docs/overrides/main.html does
   what the site needs from both generators (vendored Mermaid, output lines marked for copying).

Numbers depend on the machine and its load: the script prints Lighthouse's own CPU benchmark index
and the load average next to them. Budgets are printed as verdicts, not asserted (exit status 0),
except that both builds must succeed.
"""

from __future__ import annotations

import argparse
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


# -- 3. Lighthouse ----------------------------------------------------------------------------------


def lighthouse(cli: Path, url: str, preset: str, runs: int) -> dict:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.json"
            cmd = ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={out}",
                   "--only-categories=performance,accessibility",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]  # fmt: skip
            if preset == "desktop":
                cmd.append("--preset=desktop")
            env = {**os.environ, "CHROME_PATH": chromium_path()}
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
            if done.returncode != 0 or not out.exists():
                sys.exit(f"lighthouse failed for {url}:\n{done.stderr[-3000:]}")
            report = json.loads(out.read_text())
        audits = report["audits"]
        results.append({
            "performance": round(report["categories"]["performance"]["score"] * 100),
            "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
            "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
            "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
            "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
            "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
            "benchmark_index": round(report["environment"]["benchmarkIndex"]),
        })  # fmt: skip
    median = min(results, key=lambda r: abs(r["performance"] - statistics.median(x["performance"] for x in results)))
    return {**median, "performance_all": [r["performance"] for r in results]}


# -- main -------------------------------------------------------------------------------------------


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="one build each, Lighthouse once on the Home page (mobile)")
    parser.add_argument(
        "--site", type=Path, help="use this MkDocs build for weights and Lighthouse instead of building one"
    )
    parser.add_argument("--builds", type=int, help="build runs per builder (default 5, tiny 1)")
    parser.add_argument("--lighthouse-runs", type=int, help="Lighthouse runs per page and preset (default 3, tiny 1)")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args()
    builds = args.builds or (1 if args.tiny else 5)
    lh_runs = args.lighthouse_runs or (1 if args.tiny else 3)
    result: dict = {"load_average_at_start": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}

    zensical = ensure_zensical()
    cli = ensure_lighthouse()

    log(f"building the site {builds}x with mkdocs and with zensical")
    result["build"] = build_times(builds, zensical)
    b = result["build"]
    print(f"build time (median of {b['runs']}): mkdocs build --strict {b['mkdocs_s']} s, "
          f"zensical build {b['zensical_s']} s; "
          f"ratio mkdocs/zensical = {b['ratio_mkdocs_over_zensical']}x")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            _timed([str(VENV_PYTHON), "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], ROOT, "mkdocs build")

        log("measuring page weights")
        rows = page_weights(site)
        result["pages"] = rows
        print("\npage weight (transferred, gzip as GitHub Pages serves; cold cache; whole page scrolled)")
        print(f"  {'page':<32} {'transferred':>12} {'uncompressed':>13} {'requests':>8}  diagrams  budget")
        for row in rows:
            within = row["transferred"] <= PAGE_BUDGET
            verdict = "n/a (diagram)" if row["diagrams"] else ("ok" if within else "OVER 400 KB")
            print(f"  {row['url'] or '/':<32} {kb(row['transferred']):>12} {kb(row['uncompressed']):>13} "
                  f"{row['requests']:>8}  {row['diagrams']:>8}  {verdict}")  # fmt: skip
        heaviest = max(rows, key=lambda r: r["transferred"])
        plain = [r for r in rows if not r["diagrams"]]
        heaviest_plain = max(plain, key=lambda r: r["transferred"]) if plain else None
        result["largest_page"] = heaviest["url"]
        print(f"  largest page: {heaviest['url'] or '/'} ({kb(heaviest['transferred'])})")
        if heaviest_plain:
            print(f"  largest page without a diagram: {heaviest_plain['url'] or '/'} "
                  f"({kb(heaviest_plain['transferred'])}, "
                  f"budget 400 KB: {'ok' if heaviest_plain['transferred'] <= PAGE_BUDGET else 'OVER'})")  # fmt: skip

        # Home, the heaviest page, and (for comparison) the heaviest page without a diagram
        extra = [heaviest_plain["url"]] if heaviest_plain else []
        targets = [""] if args.tiny else list(dict.fromkeys(["", heaviest["url"], *extra]))
        presets = ["mobile"] if args.tiny else ["mobile", "desktop"]
        result["lighthouse"] = {}
        lighthouse_version = json.loads((BENCH / "node_modules" / "lighthouse" / "package.json").read_text())["version"]
        print(f"\nLighthouse {lighthouse_version} "
              f"(median of {lh_runs}; goals: performance >= {GOALS['performance']}, "
              f"accessibility = {GOALS['accessibility']})")  # fmt: skip
        with serve_gzip(site) as base:
            for url in targets:
                for preset in presets:
                    log(f"lighthouse {preset} {url or '/'}")
                    lh = lighthouse(cli, base + url, preset, lh_runs)
                    result["lighthouse"][f"{url or '/'} {preset}"] = lh
                    ok = lh["performance"] >= GOALS["performance"] and lh["accessibility"] >= GOALS["accessibility"]
                    print(f"  {url or '/':<24} {preset:<8} performance {lh['performance']:>3} {lh['performance_all']}  "
                          f"accessibility {lh['accessibility']:>3}  FCP {lh['fcp_ms']} ms  LCP {lh['lcp_ms']} ms  "
                          f"TBT {lh['tbt_ms']} ms  CLS {lh['cls']}  (CPU benchmark index {lh['benchmark_index']})  "
                          f"{'meets the goals' if ok else 'BELOW the goals'}")  # fmt: skip

    zensical_site = Path(result["build"].pop("zensical_site"))
    if not args.tiny:
        # What a move to Zensical would change for readers today: the browser checks over its build.
        from browser_checks.live import CHECKS, check_site

        log("running the browser checks over the Zensical build")
        report = check_site(zensical_site, ROOT)
        found = {check: report.problems(check) for check in CHECKS}
        result["zensical_browser_checks"] = {check: sum(map(len, pages.values())) for check, pages in found.items()}
        print("\nZensical build in the browser (tests/browser_checks over its site/; 0 = passes):")
        for check, pages in found.items():
            first = next((f"{url or '/'}: {problems[0].splitlines()[0]}" for url, problems in pages.items()), "")
            print(f"  {check:<8} {sum(map(len, pages.values())):>3} problem(s) on {len(pages)} page(s)  {first[:110]}")
    shutil.rmtree(zensical_site, ignore_errors=True)
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\nmachine: {result['cpus']} CPUs, load average {result['load_average_at_start']} at start, "
          f"{result['load_average_at_end']} at end")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
