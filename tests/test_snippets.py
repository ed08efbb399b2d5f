"""Every snippet on the site, linted and run against live services; its printed output must match its `#>` lines.

`pytest --update-examples` rewrites the `#>` lines from a fresh run instead of failing.
"""

from __future__ import annotations

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
        if eval_example.update_examples:
            eval_example.run_print_update(example, module_globals=package_globals(path))
        else:
            eval_example.run_print_check(example, module_globals=package_globals(path))
