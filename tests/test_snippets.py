"""Every snippet on the site, linted and run against live services; its printed output must match its `#>` lines.

`pytest --update-examples` rewrites the `#>` lines from a fresh run instead of failing (and applies
ruff's fixes). The lint rules are snippets/ruff.toml, the file editors use too.
"""

from __future__ import annotations

import linecache
import subprocess
import tomllib

import pytest
from harness import package_globals
from pytest_examples import CodeExample, EvalExample
from ruff.__main__ import find_ruff_bin
from services.paths import SNIPPETS
from services.snippets import files, snippet_id

RUFF_CONFIG = SNIPPETS / "ruff.toml"
LINE_LENGTH = tomllib.loads(RUFF_CONFIG.read_text())["line-length"]


@pytest.mark.parametrize("path", files(), ids=snippet_id)
def test_snippet(path, eval_example: EvalExample, snippet_context, monkeypatch):
    lint(path, fix=eval_example.update_examples)
    example = CodeExample.create(path.read_text(), path=path)
    eval_example.set_config(line_length=LINE_LENGTH)

    with snippet_context(path).running(monkeypatch):
        run = eval_example.run_print_update if eval_example.update_examples else eval_example.run_print_check
        failure = None
        try:
            run(example, module_globals=package_globals(path))
        except Exception as exc:  # noqa: BLE001 - reported below, readably
            failure = f"{snippet_id(path)} raised:\n{_describe(exc)}"
        if failure:  # outside the except block: no chained synthetic traceback for pytest to render
            pytest.fail(failure, pytrace=False)


def lint(path, *, fix: bool) -> None:
    """The pinned ruff with snippets/ruff.toml, exactly as `ruff check snippets/` runs it (with --fix when updating)."""
    args = [find_ruff_bin(), "check", "--config", str(RUFF_CONFIG), "--no-cache", "--output-format", "concise"]
    done = subprocess.run([*args, *(["--fix"] if fix else []), str(path)], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        pytest.fail(f"ruff (snippets/ruff.toml):\n{done.stdout}{done.stderr}", pytrace=False)


def _describe(exc: BaseException) -> str:
    """The traceback as file:line lines. pytest-examples maps frames onto the snippet file with a synthetic
    traceback that pytest 9 cannot render (INTERNALERROR: generator raised StopIteration), so walk it by hand."""
    lines, tb = [], exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        source = linecache.getline(code.co_filename, tb.tb_lineno).strip()
        lines.append(f"  {code.co_filename}:{tb.tb_lineno} in {code.co_name}\n      {source}")
        tb = tb.tb_next
    text = "\n".join(lines[-12:]) + f"\n{type(exc).__name__}: {exc}"
    cause = exc.__cause__ or exc.__context__
    return text + (f"\n\ncaused by:\n{_describe(cause)}" if cause and cause is not exc else "")
