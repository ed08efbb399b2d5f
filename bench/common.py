"""Shared by the bench scripts: paths, timing, result rows and the ratios printed beside them.

Standard library only: `bench/run.py` imports it before any venv exists, and the hiredis script
runs it in a venv that holds nothing but redis-py and hiredis.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
TESTS = ROOT / "tests"
RESULTS = BENCH / "results"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
HIREDIS_PYTHON = ROOT / ".venv-bench-hiredis" / "bin" / "python"

# tests/services (private redis-server, throwaway vhost, Bugsink, Celery workers) is reused as is.
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


def builds(generation: str):
    """(Redis build, RabbitMQ build) of `generation`: what RedisServer(build=) and RabbitNode(build=) take."""
    from services.generations import by_name

    redis_name, rabbitmq_name = GENERATIONS[generation]
    return by_name(redis_name), by_name(rabbitmq_name)


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# The server generations (tests/services/generations.py) a bench section can run on: {name: (Redis, RabbitMQ)}.
GENERATIONS = {"current": ("redis-8.0", "rabbitmq-4.0"), "debian12": ("redis-7.0", "rabbitmq-3.10")}
GENERATION_LABELS = {"current": "current (Debian 13)", "debian12": "Debian 12"}


def parse_args(doc: str | None = None, extra=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument(
        "--tiny", action="store_true", help="tiny sizes: checks the script runs, measures nothing useful"
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write this section's JSON")
    parser.add_argument("--generation", choices=list(GENERATIONS), default="current",
                        help="the servers to start: Redis 8.0 / RabbitMQ 4.0 (current) or 7.0 / 3.10 (debian12)")
    if extra:
        extra(parser)
    return parser.parse_args()


def timed(fn, *args, repeats: int = 1) -> float:
    """Seconds `fn(*args)` takes; with repeats > 1, the median of that many runs."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn(*args)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def percentile(samples: list[float], q: int) -> float:
    """The q-th percentile (1..99) of `samples`, inclusive method (no value beyond the sample)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def fmt_x(ratio: float) -> str:
    if ratio >= 100:
        return f"{ratio:,.0f}×"
    if ratio >= 10:
        return f"{ratio:.0f}×"
    return f"{ratio:.1f}×"


def fmt_pct(ratio: float) -> str:
    pct = ratio * 100
    if pct < 1:
        return f"{pct:.2f}%"
    if pct < 10:
        return f"{pct:.1f}%"
    return f"{pct:.0f}%"


def fmt_num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


@dataclass
class Row:
    """One measured figure. `kind` "rate": higher is better (value = n / seconds); "time": lower is better."""

    id: str
    group: str
    label: str
    value: float
    unit: str
    kind: str = "rate"
    n: int | None = None
    seconds: float | None = None
    note: str = ""
    compare: list[dict] = field(default_factory=list)


class Section:
    """The rows of one bench script, written as JSON for bench/run.py to merge and render."""

    def __init__(self, name: str, *, tiny: bool, generation: str | None = None):
        self.name, self.tiny, self.generation = name, tiny, generation
        self.rows: dict[str, Row] = {}
        self.versions: dict[str, str] = {}
        self.notes: list[str] = []
        self.started = time.monotonic()

    def rate(self, id: str, group: str, label: str, *, n: int, seconds: float, unit: str, note: str = "") -> Row:
        if seconds <= 0 or n <= 0:
            raise ValueError(f"{id}: nothing measured (n={n}, seconds={seconds})")
        return self._add(Row(id, group, label, n / seconds, unit, "rate", n, seconds, note))

    def time(self, id: str, group: str, label: str, value: float, *, unit: str, n: int | None = None,
             seconds: float | None = None, note: str = "") -> Row:  # fmt: skip
        if value <= 0:
            raise ValueError(f"{id}: nothing measured (value={value})")
        return self._add(Row(id, group, label, value, unit, "time", n, seconds, note))

    def _add(self, row: Row) -> Row:
        if row.id in self.rows:
            raise ValueError(f"duplicate row id {row.id}")
        self.rows[row.id] = row
        log(f"{row.id}: {fmt_num(row.value)} {row.unit}")
        return row

    def compare(self, id: str, to: str, text: str) -> None:
        """Put `to` beside `id`: text may use {x} (ratio id/to), {pct} (same, as %), {inv} (to/id), {diff} (id - to)."""
        a, b = self.rows[id], self.rows[to]
        ratio = a.value / b.value
        diff = a.value - b.value
        words = text.format(x=fmt_x(ratio), pct=fmt_pct(ratio), inv=fmt_x(1 / ratio),
                            diff=f"{'+' if diff >= 0 else '−'}{fmt_num(abs(diff))} {a.unit}")  # fmt: skip
        a.compare.append({"to": to, "ratio": ratio, "text": words})

    def dump(self, path: Path) -> None:
        data = {
            "section": self.name,
            "tiny": self.tiny,
            **({"generation": self.generation} if self.generation else {}),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.monotonic() - self.started, 1),
            "versions": self.versions,
            "notes": self.notes,
            "rows": [asdict(row) for row in self.rows.values()],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
