"""This site: the full strict build, and the snippet suite (every code block run against live services).

The build is run here (the same `mkdocs build --strict` CI runs). The snippet suite takes minutes
once the guide is complete, more than this benchmark's budget, so by default its time is read from
the JUnit XML of the last full test run (tests/.artifacts/junit.xml, written by python3 tests/run.py)
when that run covered every snippet and none failed; otherwise it runs the suite here.
With --tiny (what tests/test_bench.py runs), the same code on the least input: the build of the browser
checks' small fixture project, and one Redis snippet run live.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from common import ROOT, Section, log, parse_args

import mkdocs
from services.sitebuild import build_site, built_pages
from services.snippets import files as snippet_files
from services.snippets import snippet_id

JUNIT = ROOT / "tests" / ".artifacts" / "junit.xml"
GROUP = "site"


def snippet_times(junit: Path) -> tuple[dict[str, float], bool, str]:
    """({snippet id: seconds}, all passed, timestamp) from a pytest JUnit XML file."""
    root = ET.parse(junit).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    times, ok = {}, True
    for case in suite.iter("testcase"):
        if case.get("classname") == "tests.test_snippets" and case.get("name", "").startswith("test_snippet["):
            times[case.get("name")[len("test_snippet[") : -1]] = float(case.get("time", 0))
            ok = ok and not any(case.find(tag) is not None for tag in ("failure", "error", "skipped"))
    return times, ok, suite.get("timestamp", "")


def run_snippets(select: list[str]) -> tuple[dict[str, float], bool, str]:
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", "-q", "--junitxml", str(junit),  # configured by ROOT/pyproject.toml
               *[f"tests/test_snippets.py::test_snippet[{name}]" for name in select]]  # fmt: skip
        log(f"running {len(select)} snippets live")
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"snippet suite failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
        return snippet_times(junit)


def main() -> None:
    args = parse_args(
        __doc__, lambda p: p.add_argument("--snippets", choices=["auto", "junit", "live"], default="auto")
    )
    s = Section("site", tiny=args.tiny)
    s.versions["MkDocs"] = mkdocs.__version__
    from importlib.metadata import version

    s.versions["mkdocs-material"] = version("mkdocs-material")

    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        what, build = "Full site build", {}
        if args.tiny:  # the same build on the fewest pages: the browser checks' fixture project (real config and hooks)
            from browser_checks.fixture_site import make_fixture_project

            project = make_fixture_project(Path(tmp))
            what, build = "Fixture project build (tiny mode)", {"config": project / "mkdocs.yml", "cwd": project}
        started = time.perf_counter()
        result = build_site(Path(tmp) / "site", **build)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"mkdocs build --strict failed:\n{result.stderr[-3000:]}")
        pages = len(built_pages(Path(tmp) / "site"))
    s.time("site-build", GROUP, f"{what} (mkdocs build --strict), {pages} pages", seconds, unit="s",
           note=f"{seconds / pages:.2f} s per page")  # fmt: skip

    all_snippets = [snippet_id(p) for p in snippet_files()]
    source = ""
    if args.tiny:  # one snippet that needs no broker (an AMQP snippet's run starts a RabbitMQ node first)
        first = next(name for name in all_snippets if name.startswith("redis/"))
        times, ok, _ = run_snippets([first])
        source = f"live run of 1 snippet ({first}), tiny mode"
    else:
        times, ok, stamp = snippet_times(JUNIT) if JUNIT.exists() and args.snippets != "live" else ({}, False, "")
        complete = ok and set(times) == set(all_snippets)
        if complete:
            when = datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC") if stamp else "unknown time"
            source = f"from the JUnit XML of the test run started {when}"
        elif args.snippets == "junit":
            raise SystemExit(
                f"{JUNIT} does not hold a passing run of all {len(all_snippets)} snippets: run python3 tests/run.py"
            )
        else:
            times, ok, _ = run_snippets(all_snippets)
            source = "live run (the last JUnit XML did not hold a passing run of every snippet)"
    total = sum(times.values())
    slowest = max(times, key=times.get)
    s.time("site-snippets", GROUP, f"Snippet suite: {len(times)} snippets linted and run against live services", total,
           unit="s", n=len(times), note=f"{source}; slowest {slowest} {times[slowest]:.1f} s")  # fmt: skip
    s.compare("site-snippets", "site-build", "{x} the site build")
    s.dump(args.out)


if __name__ == "__main__":
    main()
