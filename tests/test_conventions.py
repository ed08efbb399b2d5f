"""Repository conventions: lint, pinned requirements split by who needs them, documented settings, gated deploys."""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from sitebuild import ROOT

READER, DOCS, TESTS = ROOT / "requirements.txt", ROOT / "docs" / "requirements.txt", ROOT / "tests" / "requirements.txt"
DEPENDENCIES = "# their dependencies"  # the comment that ends a file's own (top-level) packages
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def _ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "ruff", *args]
    return subprocess.run(cmd, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)


# -- lint ------------------------------------------------------------------------------------------


def test_bench_is_ruff_clean():
    result = _ruff("check", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean_over_tests_and_bench():
    """The pinned ruff (this venv's), from the repo root, so pyproject.toml's config and exclusions apply."""
    from ruff.__main__ import find_ruff_bin

    result = subprocess.run([find_ruff_bin(), "check", "tests", "bench"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_root_ruff_config_applies_to_bench_and_skips_snippets():
    """The config has teeth (a long line in bench/ fails) and keeps out of snippets/ (their own rules apply)."""
    long_line = f"X = {'1' * 130!r}\n"
    assert _ruff("check", "--stdin-filename", "bench/x.py", "-", stdin=long_line).returncode == 1
    listed = _ruff("check", "--show-files", ".").stdout
    assert "/bench/run.py" in listed and "/tests/run.py" in listed
    assert "/snippets/" not in listed


# -- requirements ----------------------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> tuple[dict[str, str], set[str]]:
    """({package: version} of every pin in the file itself, {its top-level packages: those above DEPENDENCIES})."""
    pins, top, own = {}, set(), True
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        own = own and raw.strip() != DEPENDENCIES
        if not line or line.startswith("-r "):
            continue
        match = PIN.match(line)
        assert match, f"{path.relative_to(ROOT)}: {raw!r} is not an exact pin (name==version)"
        pins[_norm(match[1])] = match[2]
        if own:
            top.add(_norm(match[1]))
    return pins, top


def _closure(names: set[str]) -> set[str]:
    """The packages `names` need, as installed in this venv (required dependencies only, no extras)."""
    found, todo = set(), list(names)
    while todo:
        name = _norm(todo.pop())
        if name in found:
            continue
        found.add(name)
        for spec in metadata.distribution(name).requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return found


def test_tests_requirements_include_the_reader_and_docs_sets():
    includes = [line.split()[1] for line in TESTS.read_text().splitlines() if line.startswith("-r ")]
    assert [(TESTS.parent / f).resolve() for f in includes] == [READER, DOCS]


@pytest.mark.parametrize("path", [READER, DOCS, TESTS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_each_requirements_file_pins_exactly_what_its_packages_need(path):
    """A file's own packages plus everything they depend on, and nothing else (the included files excepted)."""
    pins, top = _pins(path)
    included = set()
    if path == TESTS:
        included = set(_pins(READER)[0]) | set(_pins(DOCS)[0])
    assert _closure(top) - included == set(pins) - (included & top), path.relative_to(ROOT)


def test_a_package_pinned_in_two_files_has_one_version():
    seen: dict[str, tuple[str, str]] = {}
    for path in (READER, DOCS, TESTS):
        for name, version in _pins(path)[0].items():
            first = seen.setdefault(name, (version, path.relative_to(ROOT).as_posix()))
            assert first[0] == version, f"{name}: {first[0]} in {first[1]}, {version} in {path.relative_to(ROOT)}"


def test_this_venv_has_the_pinned_versions():
    """tests/run.py reinstalls when a requirements file changes: {package: (pinned, installed)} differences."""
    pinned = {name: version for path in (READER, DOCS, TESTS) for name, version in _pins(path)[0].items()}
    installed = {_norm(d.metadata["Name"]): d.version for d in metadata.distributions()}
    assert {n: (v, installed.get(n)) for n, v in pinned.items() if installed.get(n) != v} == {}


def test_every_snippet_import_is_a_reader_requirement():
    """What snippets import resolves to packages of requirements.txt alone (not the site's or the tests')."""
    import ast

    snippets = ROOT / "snippets"
    local = {p.stem for p in snippets.rglob("*.py")} | {p.name for p in snippets.rglob("*") if p.is_dir()}
    imported = set()
    for path in snippets.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - local
    owners = metadata.packages_distributions()
    assert {m for m in third_party if m not in owners} == set()
    reader = set(_pins(READER)[0])
    assert {m: owners[m] for m in third_party if not {_norm(d) for d in owners[m]} & reader} == {}


def test_run_py_reinstalls_when_an_included_requirements_file_changes():
    spec = importlib.util.spec_from_file_location("tests_run", ROOT / "tests" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    assert run.requirement_files(run.TEST_REQUIREMENTS) == [TESTS, READER, DOCS]


def test_the_site_does_not_publish_its_requirements(built_site):
    assert not (built_site / "requirements.txt").exists()


# -- README ----------------------------------------------------------------------------------------


def _tracked_text() -> str:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    texts = []
    for name in files.splitlines():
        path = ROOT / name
        if path.suffix in {".py", ".md", ".yml", ".yaml", ".toml", ".txt", ".html", ".sh", ""} and path.is_file():
            texts.append(path.read_text(errors="replace"))
    return "\n".join(texts)


def test_readme_documents_every_guide_environment_variable():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    used = set(re.findall(r"\bGUIDE_[A-Z0-9_]+", _tracked_text().replace(section, "")))
    documented = set(re.findall(r"`(GUIDE_[A-Z0-9_]+)`", section))
    assert used and used == documented
    assert '-m "not slow"' in readme


# -- workflows -------------------------------------------------------------------------------------


def test_pages_deploy_only_after_the_tests_pass_on_the_same_commit():
    workflows = ROOT / ".github" / "workflows"
    tests_name = yaml.safe_load((workflows / "tests.yml").read_text())["name"]
    pages = yaml.safe_load((workflows / "pages.yml").read_text())
    trigger = pages[True]  # YAML 1.1 reads the key `on` as True
    assert set(trigger) == {"workflow_run"}
    assert trigger["workflow_run"] == {"workflows": [tests_name], "types": ["completed"], "branches": ["main"]}
    build = pages["jobs"]["build"]
    assert "github.event.workflow_run.conclusion == 'success'" in build["if"]
    assert "github.event.workflow_run.event == 'push'" in build["if"]  # never a pull request's code
    [checkout] = [step for step in build["steps"] if step.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["ref"] == "${{ github.event.workflow_run.head_sha }}"
    commands = "\n".join(step.get("run", "") for step in build["steps"])
    assert "pip install -r docs/requirements.txt" in commands and "mkdocs build --strict" in commands
    assert "pip install -r requirements.txt" not in commands
