"""bench/site_budget.py runs end to end (tiny mode); its numbers are printed by the bench, never asserted here."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sitebuild import ROOT


@pytest.mark.slow
def test_site_budget_script_runs_in_tiny_mode(built_site):
    """One MkDocs and one Zensical build (both must succeed), page weights, one Lighthouse run."""
    cmd = [sys.executable, str(ROOT / "bench" / "site_budget.py"), "--tiny", "--site", str(built_site)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for expected in ("build time", "ratio mkdocs/zensical", "page weight", "largest page", "Lighthouse", "accessibility"):
        assert expected in result.stdout, expected
