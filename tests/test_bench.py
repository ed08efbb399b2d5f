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

SERVER_SECTIONS = ["redis", "rabbitmq", "queues", "celery"]  # run once per server generation
# The servers each generation must have run on (tests/services/generations.py), by version prefix.
SERVERS = {
    "current": {"Redis server": "8.0.", "RabbitMQ": "4.0."},
    "debian12": {"Redis server": "7.0.", "RabbitMQ": "3.10."},
}
GENERATION_SECTIONS = ["generations-redis", "generations-rabbitmq", "generations-queues", "generations-celery"]
SECTION_MARK = re.compile(r"--8<-- \[start:([\w-]+)\]")
PAGE_INCLUDE = re.compile(r'^--8<-- "latest\.md:([\w-]+)"$', re.M)


def _check_servers(sections: dict, generation: str) -> None:
    """Every server section says which generation it ran on, and its servers are that generation's."""
    for name in SERVER_SECTIONS:
        if name in sections:
            assert sections[name]["generation"] == generation, name
            for key, prefix in SERVERS[generation].items():
                if key in sections[name]["versions"]:
                    assert sections[name]["versions"][key].startswith(prefix), (name, sections[name]["versions"])


def _check_rows(sections: dict, ids: set[str]) -> None:
    for name, section in sections.items():
        for row in section["rows"]:
            assert row["value"] > 0, row
            assert row["kind"] in ("rate", "time") and row["unit"] and row["label"]
            for compared in row["compare"]:
                assert compared["ratio"] > 0 and compared["text"], row
            assert {c["to"] for c in row["compare"]} <= ids, name  # every comparison points at a row of the run


def _check_data(data: dict, *, tiny: bool, generations: list[str]) -> None:
    assert data["meta"]["tiny"] is tiny
    assert data["meta"]["generations"] == generations
    assert list(data["sections"]) == list(EXPECTED_ROWS)
    _check_servers(data["sections"], generations[0])
    assert list(data["generations"]) == generations[1:]
    for generation, sections in data["generations"].items():
        assert list(sections) == SERVER_SECTIONS
        _check_servers(sections, generation)
        for name, section in sections.items():
            assert {row["id"] for row in section["rows"]} == set(EXPECTED_ROWS[name]), (generation, name)
            assert section["tiny"] is tiny
        _check_rows(sections, {row["id"] for section in sections.values() for row in section["rows"]})
    for generation in generations:
        assert set(data["meta"]["servers"][generation]) == {"Redis server", "RabbitMQ"}
    machine = data["meta"]["machine"]
    assert machine["cpus"] > 0 and machine["ram_gib"] > 0 and machine["cpu_model"]
    for key in ("Redis server", "RabbitMQ", "bugsink", "redis", "hiredis", "pika", "celery", "sentry-sdk", "mkdocs"):
        assert data["meta"]["versions"].get(key), f"version of {key} missing"
    for name, section in data["sections"].items():
        assert {row["id"] for row in section["rows"]} == set(EXPECTED_ROWS[name]), name
        assert section["tiny"] is tiny
    _check_rows(data["sections"], {row["id"] for section in data["sections"].values() for row in section["rows"]})


def _sections(markdown: str) -> set[str]:
    return set(SECTION_MARK.findall(markdown))


@pytest.mark.slow
def test_every_bench_script_runs_on_tiny_sizes(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--tiny", "--out-dir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    data = json.loads((tmp_path / "latest.json").read_text())
    _check_data(data, tiny=True, generations=["current"])  # the default: Redis 8.0 and RabbitMQ 4.0
    rendered = (tmp_path / "latest.md").read_text()
    assert set(PAGE_INCLUDE.findall(PAGE.read_text())) <= _sections(rendered)
    assert "Tiny run" in rendered


@pytest.mark.slow
def test_the_debian12_generation_runs_redis_7_0(tmp_path):
    """`--generation debian12` starts the Debian 12 servers (one small section: the flag, not every script)."""
    cmd = [sys.executable, str(BENCH / "run.py"), "--tiny", "--generation", "debian12", "--only", "redis",
           "--out-dir", str(tmp_path)]  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    data = json.loads((tmp_path / "latest.json").read_text())
    assert data["meta"]["generations"] == ["debian12"] and list(data["sections"]) == ["redis"]
    _check_servers(data["sections"], "debian12")
    assert data["meta"]["servers"]["debian12"]["Redis server"].startswith("7.0.")


def test_committed_results_are_a_full_run_of_every_row_on_both_generations():
    _check_data(json.loads((RESULTS / "latest.json").read_text()), tiny=False, generations=["current", "debian12"])


def test_the_generation_tables_say_which_generation_did_better():
    """Rates: higher is better; times and bytes: lower; within 10%: about the same. Fake rows, no run."""
    sys.path.insert(0, str(BENCH))
    try:
        from render import generation_table
    finally:
        sys.path.remove(str(BENCH))

    def section(values: dict, generation: str, versions: dict) -> dict:
        rows = [{"id": rid, "group": "redis-client", "label": rid, "value": v, "unit": u, "kind": k}
                for rid, (v, u, k) in values.items()]  # fmt: skip
        return {"rows": rows, "versions": versions, "generation": generation}

    first = {"fast": (200.0, "SET/s", "rate"), "slow": (2.0, "ms", "time"), "same": (100.0, "SET/s", "rate")}
    second = {"fast": (100.0, "SET/s", "rate"), "slow": (1.0, "ms", "time"), "same": (95.0, "SET/s", "rate")}
    debian12 = {"redis": section(second, "debian12", {"Redis server": "7.0.15"})}
    data = {"meta": {"generations": ["current", "debian12"]}, "generations": {"debian12": debian12},
            "sections": {"redis": section(first, "current", {"Redis server": "8.0.2"})}}  # fmt: skip
    lines = generation_table(data, ["redis-client"], ("Redis server",)).splitlines()
    assert lines[0].startswith("| Case | Redis 8.0.2<br>(current, Debian 13) | Redis 7.0.15<br>(Debian 12) |")
    assert lines[2].endswith("| 200 SET/s | 100 SET/s | 2.0× | current |")
    assert lines[3].endswith("| 2.00 ms | 1.00 ms | 2.0× | Debian 12 |")
    assert lines[4].endswith("| about the same (±10%) |")
    assert generation_table({**data, "generations": {}}, ["redis-client"], ("Redis server",)) is None


def test_committed_page_data_is_rendered_from_the_committed_json():
    sys.path.insert(0, str(BENCH))
    try:
        from render import render
    finally:
        sys.path.remove(str(BENCH))
    data = json.loads((RESULTS / "latest.json").read_text())
    rendered = (RESULTS / "latest.md").read_text()
    assert rendered == render(data), "run: python3 bench/run.py --render"
    for name in GENERATION_SECTIONS:  # the committed run has both generations side by side
        body = rendered.split(f"[start:{name}]", 1)[1].split(f"[end:{name}]", 1)[0]
        assert "Not measured" not in body and body.count("\n|") > 3, name


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
