"""The benchmarks run and fill every row of the Benchmarks page. Correctness only: no test here looks at speed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from services.paths import DOCS, ROOT

BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PAGE = DOCS / "benchmarks.md"

# Every figure the Benchmarks page shows (the queue comparison included), by its stable row id (the anchors other
# pages link to).
EXPECTED_ROWS = {
    "redis": [
        "redis-single", "redis-pipeline-100", "redis-pipeline-1000", "redis-transaction-1000",
        "redis-asyncio-1", "redis-asyncio-50",
        *(f"rb-{t}-{c}" for t in ("set", "get") for c in ("c1", "c1-p16", "c50", "c50-p16")),
        *(f"hiredis-{case}-{p}" for case in ("single", "pipeline", "lrange") for p in ("python", "hiredis")),
    ],
    "rabbitmq": [
        *(f"rmq-{m}{s}" for m in ("transient", "persistent") for s in ("", "-confirm", "-select", "-confirm-batch")),
        "rmq-connection-per-message", "rmq-connection-reused", "rmq-consume-prefetch-1", "rmq-consume-prefetch-100",
    ],
    "queues": [
        "q-redis-list-push", "q-redis-list-pop", "q-redis-stream-add", "q-redis-stream-ack-1", "q-redis-stream-ack-100",
        "q-rmq-publish", "q-rmq-publish-confirm", "q-rmq-publish-persistent-confirm", "q-rmq-consume-ack-1",
        "q-rmq-consume-ack-100",
        *(f"q-latency-{k}-p{q}" for k in ("redis-list", "redis-stream", "rmq") for q in (50, 99)),
        "q-mem-redis-list", "q-mem-redis-stream", "q-mem-rmq-transient", "q-mem-rmq-persistent",
    ],
    "celery": [
        *(f"celery-{b}-{p}-{r}" for b, p in (("rabbitmq", "threads"), ("redis", "threads"), ("rabbitmq", "prefork"))
          for r in ("ignore", "stored")),
        *(f"celery-latency-{b}-p{q}" for b in ("rabbitmq", "redis") for q in (50, 99)),
        "celery-direct-call", "celery-local-call", "celery-delay-ignore", "celery-delay", "celery-roundtrip",
    ],
    "sentry": [
        "sentry-request-nosdk", "sentry-request-sample0", "sentry-request-sample1",
        "sentry-exception-nosdk", "sentry-exception-capture", "sentry-exception-delivered",
    ],
    "site": ["site-build", "site-snippets"],
}

SECTION_MARK = re.compile(r"--8<-- \[start:([\w-]+)\]")
PAGE_INCLUDE = re.compile(r'^--8<-- "latest\.md:([\w-]+)"$', re.M)


def _check_data(data: dict, *, tiny: bool) -> None:
    assert data["meta"]["tiny"] is tiny
    assert list(data["sections"]) == list(EXPECTED_ROWS)
    machine = data["meta"]["machine"]
    assert machine["cpus"] > 0 and machine["ram_gib"] > 0 and machine["cpu_model"]
    for key in ("Redis server", "RabbitMQ", "bugsink", "redis", "hiredis", "pika", "celery", "sentry-sdk", "mkdocs"):
        assert data["meta"]["versions"].get(key), f"version of {key} missing"
    ids = set()
    for name, section in data["sections"].items():
        rows = {row["id"]: row for row in section["rows"]}
        assert set(rows) == set(EXPECTED_ROWS[name]), name
        assert section["tiny"] is tiny
        ids |= set(rows)
        for row in rows.values():
            assert row["value"] > 0, row
            assert row["kind"] in ("rate", "time") and row["unit"] and row["label"]
            for compared in row["compare"]:
                assert compared["ratio"] > 0 and compared["text"], row
    for section in data["sections"].values():  # every comparison points at a row of the run
        assert {c["to"] for row in section["rows"] for c in row["compare"]} <= ids


def _sections(markdown: str) -> set[str]:
    return set(SECTION_MARK.findall(markdown))


@pytest.mark.slow
def test_every_bench_script_runs_on_tiny_sizes(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--tiny", "--out-dir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    data = json.loads((tmp_path / "latest.json").read_text())
    _check_data(data, tiny=True)
    rendered = (tmp_path / "latest.md").read_text()
    assert set(PAGE_INCLUDE.findall(PAGE.read_text())) <= _sections(rendered)
    assert "Tiny run" in rendered


def test_committed_results_are_a_full_run_of_every_row():
    _check_data(json.loads((RESULTS / "latest.json").read_text()), tiny=False)


def test_committed_page_data_is_rendered_from_the_committed_json():
    sys.path.insert(0, str(BENCH))
    try:
        from render import render
    finally:
        sys.path.remove(str(BENCH))
    data = json.loads((RESULTS / "latest.json").read_text())
    assert (RESULTS / "latest.md").read_text() == render(data), "run: python3 bench/run.py --render"


def test_the_page_shows_every_rendered_section():
    included = PAGE_INCLUDE.findall(PAGE.read_text())
    assert len(included) == len(set(included))
    assert set(included) == _sections((RESULTS / "latest.md").read_text())


def test_links_to_benchmark_rows_point_at_existing_rows(built_site: Path):
    page = (built_site / "benchmarks" / "index.html").read_text()
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    links = []
    for html in built_site.rglob("*.html"):
        for target in re.findall(r'href="(?:[./]*)benchmarks/#([^"]+)"', html.read_text()):
            links.append(target)
            assert target in ids, f"{html.relative_to(built_site)} links to benchmarks/#{target}, which does not exist"
    assert links, "no page links to a benchmark row"
    rows = {row for rows in EXPECTED_ROWS.values() for row in rows}
    assert rows <= ids, f"rows without an anchor on the page: {sorted(rows - ids)}"
