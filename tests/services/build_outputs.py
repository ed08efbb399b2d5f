"""What a snippet prints on each server build, and the Markdown that pages show it with.

Shared by tests/claims/test_redis_builds.py (Redis 8.0, Valkey 8.1, Redis 7.0) and
tests/claims/test_rabbitmq_builds.py (RabbitMQ 4.0, 3.10). A snippet's `#>` lines are the current
generation's output; on every other build the test records a `Run`: the same lines, other lines, or an
error. The files written from the runs (snippets/<tool>/results/builds/):

- snippets.md (`snippet_table`): per build, how many snippets print their `#>` lines, which print
  something else, which stop with an error;
- <snippet stem>.md (`output_tabs`): for each snippet that differs on some build, one content tab per
  build with what it printed there; the page includes the file right under the snippet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .generations import Build
from .snippets import Finished, expected_output, snippet_id

ARGS = re.compile(r"(, with args beginning with:).*$")


def without_args(error: str) -> str:
    """`unknown command 'X', with args beginning with: …`: the arguments (random ids) shortened."""
    return ARGS.sub(r"\1 …", error.strip())


@dataclass(frozen=True)
class Run:
    shown: tuple[str, ...]  # the snippet's `#>` lines
    printed: tuple[str, ...]
    error: str | None  # the exception line when it stopped with an error

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return "fails"
        return "same" if self.printed == self.shown else "differs"


def finished_run(rel: str, done: Finished, error: str | None = None) -> Run:
    """A `Run` of snippet `rel` (snippets/<rel>) from its finished process; `error` for a failure the test saw
    outside the process (a check after the snippet)."""
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit code {done.returncode}"]
        error = without_args(lines[-1])
    return Run(tuple(expected_output(rel)), tuple(done.stdout.splitlines()), error)


def as_shown(rel: str) -> Run:
    """The build whose output the `#>` lines are (tests/test_snippets.py checks every line of them)."""
    shown = tuple(expected_output(rel))
    return Run(shown, shown, None)


def header(first: str, builds: tuple[Build, ...]) -> list[str]:
    """The first two lines of a table with one column per build."""
    labels = [first, *(b.label for b in builds)]
    return ["| " + " | ".join(labels).lstrip() + " |", "|---" * len(labels) + "|"]


def _names(rels: list[str]) -> str:
    return ", ".join(f"`{Path(rel).name}`" for rel in rels) or "none"


def snippet_table(every: dict[Build, dict[str, Run]]) -> str:
    """One row per build: snippets run, how many print their `#>` lines, which print something else or fail."""
    rows = [
        "| Server | Snippets run | Print their `#>` lines | Print something else | Stop with an error |",
        "|---|---|---|---|---|",
    ]
    for build, runs in every.items():
        by = {
            kind: sorted(rel for rel, run in runs.items() if run.outcome == kind)
            for kind in ("same", "differs", "fails")
        }
        server = f"{build.label} ({build.version})"
        cells = [server, len(runs), len(by["same"]), _names(by["differs"]), _names(by["fails"])]
        rows.append("| " + " | ".join(map(str, cells)) + " |")
    return "\n".join(rows)


def on_pages(paths: list[Path], page_snippets: set[str] | None) -> list[Path]:
    """`paths`, or in a `--page` run those its pages include (`page_snippets`, fixtures/session.py)."""
    return paths if page_snippets is None else [p for p in paths if snippet_id(p) in page_snippets]


def table_disagreements(table: str, every: dict[Build, dict[str, Run]]) -> list[str]:
    """Where some snippets' runs (a `--page` run's) disagree with a committed `snippet_table`: for each build and
    snippet, the column its name is in (none of the lists: it prints its `#>` lines) against its outcome now."""
    columns = {}
    for line in table.splitlines()[2:]:
        server, _, _, differs, fails = (cell.strip() for cell in line.strip("|").split("|"))
        columns[server] = {**dict.fromkeys(re.findall(r"`([^`]+)`", differs), "differs"),
                           **dict.fromkeys(re.findall(r"`([^`]+)`", fails), "fails")}  # fmt: skip
    problems = []
    for build, runs in every.items():
        row = columns.get(f"{build.label} ({build.version})")
        if row is None:
            problems.append(f"{build.label} ({build.version}): no row in the table")
            continue
        for rel, run in sorted(runs.items()):
            if (listed := row.get(Path(rel).name, "same")) != run.outcome:
                problems.append(f"{build.label}: {rel} is {listed!r} in the table, {run.outcome!r} now")
    return problems


def varying(every: dict[Build, dict[str, Run]]) -> list[str]:
    """The snippets that print something other than their `#>` lines, or fail, on some build."""
    return sorted({rel for runs in every.values() for rel, run in runs.items() if run.outcome != "same"})


def variant_name(rel: str) -> str:
    """The per-build file of snippet `rel`: `rabbitmq/hello_send.py` -> `hello_send.md`."""
    return f"{Path(rel).stem}.md"


def output_tabs(runs: dict[Build, Run]) -> str:
    """One content tab per build: what the snippet printed there, lines unlike its `#>` lines highlighted."""
    parts = []
    for build, run in runs.items():
        parts.append(f'=== "{build.label}"\n')
        if run.outcome == "same":
            parts.append("    Prints exactly the `#>` lines above.\n")
            continue
        lines = list(run.printed) + ([run.error] if run.error else [])
        differ = [
            str(i)
            for i, line in enumerate(lines, 1)
            if i > len(run.shown) or run.shown[i - 1] != line or line == run.error
        ]
        intro = (
            "Prints, then stops with an error:"
            if run.error and run.printed
            else "Stops with an error:"
            if run.error
            else "Prints (lines unlike the `#>` lines highlighted):"
        )
        parts.append(f"    {intro}\n")
        parts.append(f'    ```text hl_lines="{" ".join(differ)}"')
        parts.extend(f"    {line}" if line else "" for line in lines)
        parts.append("    ```\n")
    return "\n".join(parts)


def stale_variant_files(folder: Path, expected: set[str], fixed: set[str]) -> set[str]:
    """Per-build files in `folder` that no snippet differs for any more (`fixed` names the other files there)."""
    return {p.name for p in folder.glob("*.md")} - fixed - expected


def not_on_a_page(tool: str, names: set[str], pages: str) -> list[str]:
    """Per-build files (snippets/<tool>/results/builds/<name>) that no page includes."""
    return sorted(name for name in names if f'--8<-- "{tool}/results/builds/{name}"' not in pages)


def variant_file_problems(
    tool: str, folder: Path, expected: set[str], fixed: set[str], docs: Path, *, update: bool
) -> tuple[set[str], list[str]]:
    """(stale per-build files, per-build files no page includes). With `update` (--update-examples), stale
    files are deleted instead of reported."""
    stale = stale_variant_files(folder, expected, fixed)
    if update:
        for name in stale:
            (folder / name).unlink()
        stale = set()
    pages = "\n".join(p.read_text() for p in docs.rglob("*.md"))
    return stale, not_on_a_page(tool, expected, pages)
