"""What a snippet needs around it, declared in one place per tool.

Each module here defines `SETUPS = {key: [factory, ...]}`. A key is a snippet path relative to
`snippets/` ("celery/first_app_call.py") or a folder prefix ending in "/" ("sentry/") that applies to
every snippet below it. A factory takes the `SnippetContext` and returns a context manager: code
before its `yield` runs before the snippet (start a worker, create a project, set env), code after
it runs after the snippet and asserts what the snippet left behind (an event stored, a key set).
Folder entries are entered before file entries, in module order.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from importlib import import_module

Factory = Callable[..., AbstractContextManager]


def registry() -> dict[str, list[Factory]]:
    merged: dict[str, list[Factory]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = import_module(f"{__name__}.{info.name}")
        for key, factories in getattr(module, "SETUPS", {}).items():
            merged.setdefault(key, []).extend(factories)
    return merged


def factories_for(rel: str) -> list[Factory]:
    """Folder entries first (shortest prefix first), then the file's own entries."""
    reg = registry()
    folders = sorted((k for k in reg if k.endswith("/") and rel.startswith(k)), key=len)
    return [f for k in folders for f in reg[k]] + reg.get(rel, [])
