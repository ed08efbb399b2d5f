"""Every error text on the Redis troubleshooting page, errors.produced on private servers of every Redis build.

docs/redis/troubleshooting.md has one row per error. A row shows what redis-py raises
(snippets/redis/errors/py/<row>.txt), and where people search for the server's own words what the
CLI prints (errors/cli/<row>.txt) or what the server logs (errors/log/<row>.txt); errors.ROWS and errors.PER_BUILD
in services/redis_errors.py say which files there are. The tests that trigger the errors, one per row
and build (Redis 8.0, Valkey 8.1, Redis 7.0), are split by the page's sections:

- test_redis_troubleshooting_connecting.py: refused, unresolved, timed out, reset, closed connections,
  TLS, client limits;
- test_redis_troubleshooting_access.py: passwords, ACLs, protected mode, memory, persistence, loading,
  replicas;
- test_redis_troubleshooting_commands.py: wrong types and values, unknown commands, transactions, locks,
  repr(), cluster redirects.

Each compares its text with the file, after writing the private server's port as the documented one
(6379; 6390 for TLS, 7000-7002 for the cluster); `--update-examples` rewrites the files. The test below
fails for a file no test produces, a file the page does not include, a row without a file, a row heading
whose text is not in its row's files, a build's own file whose text is the shared one, and a file of a
row whose texts differ that is not in a content tab naming the builds it shows.
"""

from __future__ import annotations

import re

import pytest
from services import redis_errors as errors
from services.generations import REDIS_BUILDS
from services.paths import SNIPPETS

pytestmark = pytest.mark.page("redis/troubleshooting.md")


def test_every_row_is_produced_and_shown():
    files = errors.produced()
    on_disk = {
        f.relative_to(SNIPPETS).as_posix() for kind in errors.KINDS for f in (errors.ERRORS / kind).glob("*.txt")
    }
    assert on_disk == files, f"files no test produces: {sorted(on_disk - files)}; missing: {sorted(files - on_disk)}"
    rows = errors.page_rows()
    included = {ref: tab for _, refs in rows.values() for ref, tab in refs}
    assert set(included) == files, (
        f"not on the page: {sorted(files - set(included))}; unknown: {sorted(set(included) - files)}"
    )
    for anchor, (heading, refs) in rows.items():
        assert refs, f"row {anchor!r} shows no error text from a test"
        if heading.startswith("### "):
            texts = " ".join((SNIPPETS / ref).read_text() for ref, _ in refs)
            for quoted in re.findall(r"`([^`]+)`", heading):
                assert quoted in texts, f"row {anchor!r}: heading text {quoted!r} is not in {refs}"


def test_a_build_with_its_own_text_is_shown_in_a_tab_of_its_own():
    """A build's own file holds another text than the shared one, and where a row's texts differ, the row has a
    tab per build ("Redis 8.0", "Valkey 8.1", "Redis 7.0": the same three everywhere, so Material's linked tabs
    keep the reader's choice on every row), and each file is in the tabs of exactly the builds whose text it is."""
    rows = errors.page_rows()
    tabs: dict[str, set[str | None]] = {}
    for _, refs in rows.values():
        for ref, tab in refs:
            tabs.setdefault(ref, set()).add(tab)
    labels = re.findall(r'^=== "(.+)"$', errors.PAGE.read_text(), re.M)
    per_build = [b.label for b in REDIS_BUILDS]
    assert labels and labels == per_build * (len(labels) // len(per_build)), labels
    for key, builds in errors.PER_BUILD.items():
        kind, row = key.split("/")
        assert kind in errors.ROWS[row] and builds <= {b.name for b in REDIS_BUILDS} - {"redis-8.0"}, key
        vary = (errors.NUMBERS,) if kind == "log" else ()  # log texts keep the numbers of the run that wrote them
        shared = errors.same_apart_from(vary, (errors.ERRORS / kind / f"{row}.txt").read_text())
        for name in builds:
            own = errors.ERRORS / kind / f"{row}.{name}.txt"
            assert errors.same_apart_from(vary, own.read_text()) != shared, (
                f"{own.name} shows the shared text: drop {name} from PER_BUILD[{key!r}]"
            )
        for ref in (f"redis/errors/{kind}/{row}.txt", *(f"redis/errors/{kind}/{row}.{name}.txt" for name in builds)):
            expected = {b.label for b in errors.builds_of(ref)}
            assert tabs[ref] == expected, f"{ref} is in the tabs {sorted(tabs[ref])}, not those of {sorted(expected)}"
