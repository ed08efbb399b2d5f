"""Result tables: what a claim test measured, compared with the file a page includes (`snippets/<tool>/results/*.md`).

`vary=True` marks measured timings: the file keeps the numbers of the run that wrote it, and a
normal run only checks that the same lines, numbers aside, come out.
"""

from __future__ import annotations

import re
from pathlib import Path

from .paths import SNIPPETS

NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")


def path_of(name: str) -> Path:
    """"redis/eviction.md" -> snippets/redis/results/eviction.md"""
    tool, file = name.split("/", 1)
    return SNIPPETS / tool / "results" / file


def normalized(text: str) -> str:
    return text.rstrip("\n") + "\n"


def check(path: Path, text: str, *, vary: bool = False) -> None:
    """`path` must hold `text` (numbers aside when `vary`); a failure shows both tables."""
    assert path.exists(), f"{path} missing: run with --update-examples to write it"
    shown, text = path.read_text(), normalized(text)
    same = NUMBERS.sub("N", shown) == NUMBERS.sub("N", text) if vary else shown == text
    kind = "differs in shape (numbers aside)" if vary else "differs"
    assert same, f"{path} {kind}. The page shows:\n{shown}\nbut the test measured:\n{text}"
