"""How one snippet runs under test: its env, its setups, its imports, and nothing left behind."""

from __future__ import annotations

import importlib.util
import sys
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from setups import factories_for

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"

# Lint rules for every snippet (pytest-examples runs the pinned ruff with these).
RUFF_CONFIG = dict(
    line_length=79,
    ruff_line_length=79,
    target_version="py311",
    isort=True,
    upgrade=True,
    ruff_select=["E", "W", "F", "B", "SIM", "PIE", "RET"],
)


def snippet_files() -> list[Path]:
    return sorted(p for p in SNIPPETS.rglob("*.py") if "__pycache__" not in p.parts)


def snippet_id(path: Path) -> str:
    return path.relative_to(SNIPPETS).as_posix()


def package_globals(path: Path) -> dict[str, Any] | None:
    """A snippet inside a package (a folder with `__init__.py`, e.g. snippets/capstone/) runs as a module of
    that package, so its relative imports (`from .config import X`) resolve; other snippets get None."""
    if not (path.parent / "__init__.py").is_file():
        return None
    package = ".".join(path.parent.relative_to(SNIPPETS).parts)
    spec = importlib.util.spec_from_file_location(f"{package}.{path.stem}", path)
    return {"__package__": package, "__spec__": spec}


@dataclass
class SnippetContext:
    """Handed to every setup factory. `env` is what the snippet sees; setups may add to it."""

    path: Path
    env: dict[str, str]
    request: pytest.FixtureRequest
    tmp_path: Path
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def rel(self) -> str:
        return snippet_id(self.path)

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    @contextmanager
    def running(self, monkeypatch: pytest.MonkeyPatch):
        """Enter the snippet's setups, then give it its env, cwd and import path; undo all afterwards."""
        before = set(sys.modules)
        with ExitStack() as stack:
            for factory in factories_for(self.rel):
                stack.enter_context(factory(self))
            for key, value in self.env.items():
                monkeypatch.setenv(key, value)
            monkeypatch.chdir(self.path.parent)
            monkeypatch.syspath_prepend(str(SNIPPETS))
            monkeypatch.syspath_prepend(str(self.path.parent))
            try:
                yield self
            finally:
                _forget_snippet_modules(before)


def _forget_snippet_modules(before: set[str]) -> None:
    """Snippets import each other by module name (e.g. `tasks`); never let one test see another's copy."""
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file.startswith(str(SNIPPETS)):
            del sys.modules[name]
