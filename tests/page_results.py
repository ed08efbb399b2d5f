"""Result tables that tests write and pages include (`snippets/<tool>/results/*.md`).

A test measures an outcome (what survived a crash, what a subscriber received), renders it as
Markdown and checks it against the file the page shows; `--update-examples` rewrites the file
instead (then read the diff). `vary=True` marks measured timings: the file keeps the numbers of the
run that wrote it, and a normal run only checks that the same lines, numbers aside, come out.
"""

from __future__ import annotations

import re
from pathlib import Path

NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")


def results_checker(request, results_dir: Path):
    """`check(name, text, vary=False)` for the result files in `results_dir`."""
    update = request.config.getoption("update_examples", default=False)

    def check(name: str, text: str, *, vary: bool = False) -> None:
        path = results_dir / name
        text = text.rstrip("\n") + "\n"
        if update:
            path.write_text(text)
            return
        if not path.exists():
            raise AssertionError(f"{path} missing: run with --update-examples to write it")
        shown = path.read_text()
        if vary:
            assert NUMBERS.sub("N", shown) == NUMBERS.sub("N", text), f"{path} differs in shape:\n{text}"
        else:
            assert shown == text, f"{path} shows:\n{shown}\nbut the test measured:\n{text}"

    return check
