"""What a snippet needs around it, declared in one place per tool.

Each module here defines `SETUPS = {key: [setup, ...]}` as one dict literal. A key is a snippet path
relative to `snippets/` ("celery/calling_states.py") or a folder ending in "/" ("sentry/") that
applies to every snippet below it; tests/test_harness.py checks that every key names a snippet.
A setup takes the `SnippetContext` (tests/harness.py) and returns a context manager: code before its
`yield` runs before the snippet (start a worker, create a project, set env), code after it runs
after the snippet and asserts what the snippet left behind (an event stored, a queue's count).

Order: folder entries first (shortest folder first), then the file's own entries in list order, so
a setup may use what an earlier one put on the context (`ctx.receiver`, `ctx.smtp`, `ctx.node`).
The shared vocabulary is in setups/common.py; the modules per tool add what only their tool needs.
"""

from __future__ import annotations

import functools
import pkgutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from importlib import import_module

Setup = Callable[..., AbstractContextManager]


@functools.cache
def registry() -> dict[str, tuple[Setup, ...]]:
    merged: dict[str, tuple[Setup, ...]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = import_module(f"{__name__}.{info.name}")
        for key, setups in getattr(module, "SETUPS", {}).items():
            assert key not in merged, f"{key!r} has setups in two modules (one list per snippet)"
            merged[key] = tuple(setups)
    return merged


def factories_for(rel: str) -> list[Setup]:
    """Folder entries first (shortest folder first), then the file's own entries."""
    reg = registry()
    folders = sorted((k for k in reg if k.endswith("/") and rel.startswith(k)), key=len)
    return [s for k in folders for s in reg[k]] + list(reg.get(rel, ()))
