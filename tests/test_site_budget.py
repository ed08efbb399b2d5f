"""bench/site_budget.py still knows what to measure: a quick correctness check, no Lighthouse (that is the bench's).

The Lighthouse table (every kind of page, before/after, CPU benchmark index beside each score) takes tens of
minutes on 2 cores and its numbers depend on the machine's load: it is run by hand, never asserted here.
"""

from __future__ import annotations

import subprocess
import sys

from sitebuild import ROOT


def test_site_budget_finds_every_kind_of_page_and_serves_gzip(built_site):
    """The pages of issue 18's table exist in the build (Home, compare/, redis/data-types/ and the largest page
    of each kind: plain, most code blocks, most diagrams, most tab sets) and its server gzips them."""
    cmd = [sys.executable, str(ROOT / "bench" / "site_budget.py"), "--check", "--site", str(built_site)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for label in ("Home -> /", "compare/ -> compare/", "redis/data-types/", "largest plain:", "most code blocks",
                  "most diagrams", "most tab sets", "check: ok"):  # fmt: skip
        assert label in out, f"{label!r} not in:\n{out}"
