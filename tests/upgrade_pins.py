#!/usr/bin/env python3
"""Rewrite the exact pins of the requirements files to the newest release of each package on PyPI.

    python3 tests/upgrade_pins.py              # rewrite the files, print what changed
    python3 tests/upgrade_pins.py --dry-run    # only print what would change

What the weekly GitHub workflow (.github/workflows/weekly.yml) runs before the test suite, so the suite
runs on the newest releases of everything the guide pins and a release that breaks a page is caught
before readers hit it. Never run it to commit its result: the pins move by a reviewed change.

"Newest" is the newest final release in PyPI's JSON API (`info.version`, which skips pre-releases
and yanked releases; see `newest_final`). Only lines `name==version` change; comments, order and `-r`
includes stay. A package pinned in two files gets the same version in both. The table of what changed
(package, pinned, newest) goes to stdout and, in a GitHub job, to $GITHUB_STEP_SUMMARY.

Standard library only: it runs before any venv exists. The network is used only by `pypi_newest`;
the rewriting (`rewrite`, `upgrade`) takes any {name: version} mapping, which is how it is tested.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The guide's pins: the reader's, the site's, the tests', and the capstone's subset of the reader's
# (tests/test_capstone_files.py checks that it pins what requirements.txt pins).
FILES = [
    ROOT / "requirements.txt",
    ROOT / "docs" / "requirements.txt",
    ROOT / "tests" / "requirements.txt",
    ROOT / "snippets" / "capstone" / "requirements.txt",
]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s#;]+)(?P<rest>.*)$")
PYPI = "https://pypi.org/pypi/{name}/json"
Changes = list[tuple[str, str, str]]  # [(package, pinned, newest)]


def normalize(name: str) -> str:
    """PEP 503: the name PyPI and pip compare by."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """{name as written: version} of every `name==version` line."""
    return {m["name"]: m["version"] for m in map(PIN.match, text.splitlines()) if m}


def rewrite(text: str, newest: Mapping[str, str]) -> tuple[str, Changes]:
    """`text` with each pin moved to newest[normalized name]; and [(name, pinned, newest)] for the pins that moved.

    A package missing from `newest` keeps its pin (so a lookup that failed never drops a line)."""
    lines, changed = [], []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        match = PIN.match(body)
        new = newest.get(normalize(match["name"])) if match else None
        if match and new and new != match["version"]:
            changed.append((match["name"], match["version"], new))
            line = f"{match['name']}=={new}{match['rest']}" + line[len(body) :]
        lines.append(line)
    return "".join(lines), changed


def upgrade(files: list[Path], newest: Callable[[str], str | None], *, write: bool = True) -> Changes:
    """Rewrite `files` (unless write=False) with newest(normalized name) for each pinned package, each looked
    up once. Returns [(package, pinned, newest)], one line per package that moved, in the order first seen."""
    texts = {path: path.read_text() for path in files}
    names = {normalize(name): name for text in texts.values() for name in pins(text)}
    found = {key: version for key in names if (version := newest(key))}
    table: dict[str, tuple[str, str, str]] = {}
    for path, text in texts.items():
        new_text, changed = rewrite(text, found)
        for name, pinned, version in changed:
            table.setdefault(normalize(name), (name, pinned, version))
        if write and new_text != text:
            path.write_text(new_text)
    return list(table.values())


def summary(changed: Changes, checked: int) -> str:
    """Markdown for the job summary: a table of what moved, or a line saying nothing did."""
    head = "### Newest releases of the pinned packages\n\n"
    head += f"{checked} packages checked on PyPI, {len(changed)} upgraded.\n"
    if not changed:
        return head + "\nEvery pin is already the newest release.\n"
    ordered = sorted(changed, key=lambda c: normalize(c[0]))
    rows = "\n".join(f"| {name} | {pinned} | {new} |" for name, pinned, new in ordered)
    return head + "\n| Package | Pinned | Newest |\n|---|---|---|\n" + rows + "\n"


FINAL = re.compile(r"(\d+(?:\.\d+)*)(?:\.post(\d+))?")  # 1.2.3, 2026.10.19.post1: no a/b/rc/dev


def _final_key(version: str) -> tuple | None:
    match = FINAL.fullmatch(version)
    return (tuple(map(int, match[1].split("."))), int(match[2] or -1)) if match else None


def newest_final(document: dict) -> str | None:
    """The newest final release in a PyPI JSON document: `info.version`, which PyPI sets to the newest
    release that is not a pre-release or yanked when there is one; else the highest final version among
    `releases` with a file not yanked; None when there is none (the pin stays)."""
    current = document["info"]["version"]
    if _final_key(current):
        return current
    finals = [version for version, files in document.get("releases", {}).items()
              if _final_key(version) and any(not f.get("yanked") for f in files)]  # fmt: skip
    return max(finals, key=_final_key, default=None)


def pypi_newest(name: str) -> str | None:
    """The newest final release of `name` on PyPI (network)."""
    request = urllib.request.Request(PYPI.format(name=name), headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return newest_final(json.load(response))
    except OSError as exc:  # a package the index does not answer for keeps its pin; say so
        print(f"[upgrade_pins] {name}: no answer from PyPI ({exc}); pin kept", file=sys.stderr)
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print what would change, rewrite nothing")
    parser.add_argument("files", nargs="*", type=Path, help="requirements files (default: the guide's four)")
    args = parser.parse_args(argv)
    files = args.files or FILES
    checked = len({normalize(name) for path in files for name in pins(path.read_text())})
    changed = upgrade(files, pypi_newest, write=not args.dry_run)
    text = summary(changed, checked)
    print(text)
    if step_summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(step_summary, "a", encoding="utf-8") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
