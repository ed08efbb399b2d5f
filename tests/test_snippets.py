"""Every snippet on the site, linted and run against live services; its printed output must match its `#>` lines.

`pytest --update-examples` rewrites the `#>` lines from a fresh run instead of failing.
"""

from __future__ import annotations

import linecache

import pytest
from harness import RUFF_CONFIG, package_globals, snippet_files, snippet_id
from pytest_examples import CodeExample, EvalExample


@pytest.mark.parametrize("path", snippet_files(), ids=snippet_id)
def test_snippet(path, eval_example: EvalExample, snippet_context, monkeypatch):
    example = CodeExample.create(path.read_text(), path=path)
    eval_example.set_config(**RUFF_CONFIG)
    if eval_example.update_examples:
        eval_example.format_ruff(example)
    else:
        eval_example.lint_ruff(example)

    with snippet_context(path).running(monkeypatch):
        run = eval_example.run_print_update if eval_example.update_examples else eval_example.run_print_check
        failure = None
        try:
            run(example, module_globals=package_globals(path))
        except Exception as exc:  # noqa: BLE001 - reported below, readably
            failure = f"{snippet_id(path)} raised:\n{_describe(exc)}"
        if failure:  # outside the except block: no chained synthetic traceback for pytest to render
            pytest.fail(failure, pytrace=False)


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
