"""Where things are in the repository. Standard library only: bench/ and tests/run.py-style scripts import it too."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"  # every code block of the site, one file each
DOCS = ROOT / "docs"  # the pages
TESTS = ROOT / "tests"
PROGRAMS = TESTS / "claims" / "programs"  # the programs claim tests run (crashing consumers, variant apps)
ARTIFACTS = TESTS / ".artifacts"  # what a run leaves for people to look at (junit.xml, screenshots)
