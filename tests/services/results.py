"""Result tables: what a claim test measured, compared with the file a page includes (`snippets/<tool>/results/*.md`).

`vary=True` marks measured timings: the file keeps the numbers of the run that wrote it, and a
normal run only checks that the same lines, numbers aside, come out.

A claim that runs on every build of its server (services/generations.py) renders what each measured with
`by_build()`: one table and the builds it held on when all measured the same, else a content tab per build,
so a page never shows one generation's outcome silently. A table with rows of several servers (Redis and
RabbitMQ) measured on each server's builds: `by_server()`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from textwrap import indent
from typing import TYPE_CHECKING

from .paths import SNIPPETS

if TYPE_CHECKING:
    from .generations import Build

NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")


def path_of(name: str) -> Path:
    """"redis/eviction.md" -> snippets/redis/results/eviction.md"""
    tool, file = name.split("/", 1)
    return SNIPPETS / tool / "results" / file


def normalized(text: str) -> str:
    return text.rstrip("\n") + "\n"


def check(path: Path, text: str, *, vary: bool = False) -> None:
    """`path` must hold `text` (numbers aside when `vary`); a failure shows both tables."""
    assert path.exists(), f"{path} missing: run with --update-examples to write it"
    shown, text = path.read_text(), normalized(text)
    same = NUMBERS.sub("N", shown) == NUMBERS.sub("N", text) if vary else shown == text
    kind = "differs in shape (numbers aside)" if vary else "differs"
    assert same, f"{path} {kind}. The page shows:\n{shown}\nbut the test measured:\n{text}"


def by_build(tables: Mapping[Build, str], *, vary: bool = False) -> str:
    """What a claim measured on each build, for its page (the snippets' build first, as `tables` is ordered).

    The same text on every build: that text, then a line naming the builds and versions it was measured on.
    Otherwise (and always for `vary` tables, whose timings differ from build to build) one content tab per
    build, labelled like the pages' other server tabs ("Redis 8.0", "RabbitMQ 3.10").
    """
    texts = {build: normalized(text) for build, text in tables.items()}
    if len(set(texts.values())) == 1 and not vary:
        return next(iter(texts.values())) + f"\n*Measured on {_listed(texts)}: the same on each.*\n"
    tabs = [f'=== "{build.label}"\n\n' + indent(text, "    ") for build, text in texts.items()]
    return "\n".join(tabs)


KINDS = {"redis": "Redis", "rabbitmq": "RabbitMQ"}


def _listed(builds) -> str:
    on = [f"{build.label} ({build.version})" for build in builds]
    return ", ".join(on[:-1]) + f" and {on[-1]}" if len(on) > 1 else on[0]


def _partner(build: Build, builds) -> Build:
    """The build of another server that runs beside `build`: the one of its generation, else the first."""
    return next((b for b in builds if b.generation == build.generation), next(iter(builds)))


def by_server(header: str, *groups: Mapping[Build, str]) -> str:
    """One table whose rows come from several servers (the Redis vs RabbitMQ page): `header` (the heading and
    separator lines) and, per server, `{build: its rows}` in table order, each measured on every build.

    Every server's rows the same on each of its builds: one table and a line naming every build. Otherwise one
    content tab per build of the server whose rows differ (next to the build of the same generation of another
    server whose rows differ too, "Redis 7.0 and RabbitMQ 3.10"), and a line naming the builds of the servers
    whose rows were the same on each.
    """
    header = normalized(header)
    rows = [{build: normalized(text) for build, text in group.items()} for group in groups]
    same = [len(set(group.values())) == 1 for group in rows]
    if all(same):
        table = header + "".join(next(iter(group.values())) for group in rows)
        return table + f"\n*Measured on {_listed([b for group in rows for b in group])}: the same on each.*\n"
    differing = [group for group, alike in zip(rows, same, strict=True) if not alike]
    lead = max(differing, key=len)
    tabs = []
    for build in lead:
        shown = {id(group): build if group is lead else _partner(build, group) for group in differing}
        table = header + "".join(group[shown[id(group)]] if id(group) in shown else next(iter(group.values()))
                                 for group in rows)  # fmt: skip
        label = " and ".join(shown_build.label for shown_build in (shown[id(group)] for group in differing))
        tabs.append(f'=== "{label}"\n\n' + indent(table, "    "))
    notes = [f"\n*{KINDS[next(iter(group)).kind]} rows measured on {_listed(group)}: the same on each.*\n"
             for group, alike in zip(rows, same, strict=True) if alike]  # fmt: skip
    return "\n".join(tabs) + "".join(notes)
