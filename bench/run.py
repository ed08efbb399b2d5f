#!/usr/bin/env python3
"""Run every benchmark and write what the Benchmarks page shows: python3 bench/run.py

    python3 bench/run.py              # full run, a few minutes on 2 cores; writes bench/results/latest.json + .md
    python3 bench/run.py --generation both      # the server sections on both generations, side by side
    python3 bench/run.py --generation debian12  # Redis 7.0 / RabbitMQ 3.10 instead of 8.0 / 4.0
    python3 bench/run.py --tiny       # every script with tiny sizes (what tests/test_bench.py runs)
    python3 bench/run.py --only redis,celery   # re-run some sections, keep the others from latest.json
    python3 bench/run.py --render     # only re-render latest.md from latest.json

Server generations (tests/services/generations.py): "current" is Redis 8.0 and RabbitMQ 4.0 from the
Debian 13 root (tests/services/roots.py builds it once per machine), "debian12" Redis 7.0 and RabbitMQ
3.10. The sections that talk to a server (SERVER_SECTIONS) run once per generation asked for, each on
servers it starts itself; with `both`, each section runs on one generation right after the other, so
the pair sees the same machine load. The first generation fills the page's tables; the others go
to data["generations"] for the side-by-side tables.

It creates the venvs it needs (.venv from tests/requirements.txt, .venv-bugsink, and .venv-bench-hiredis
from bench/requirements-hiredis.txt) and the Debian roots the way tests/run.py does. Everything the
benchmarks talk to is private to the run: redis-servers, RabbitMQ nodes, Bugsink and Celery workers on
free ports, stopped at the end; never the shared Redis or RabbitMQ.
Standard library only: it runs before any venv exists.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, GENERATIONS, HIREDIS_PYTHON, RESULTS, ROOT, VENV_PYTHON, log  # noqa: E402

from render import render  # noqa: E402

SECTIONS = {  # name: script (run with .venv's python)
    "redis": "bench_redis.py",
    "rabbitmq": "bench_rabbitmq.py",
    "queues": "bench_queues.py",
    "celery": "bench_celery.py",
    "sentry": "bench_sentry.py",
    "site": "bench_site.py",
}
SERVER_SECTIONS = ("redis", "rabbitmq", "queues", "celery")  # run once per generation
PACKAGES = ["redis", "pika", "celery", "kombu", "sentry-sdk", "fastapi", "mkdocs", "mkdocs-material"]


def tests_run_module():
    """tests/run.py's venv and service helpers, reused rather than copied."""
    spec = importlib.util.spec_from_file_location("tests_run", ROOT / "tests" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare() -> None:
    trun = tests_run_module()
    trun.ensure_venv(trun.VENV, trun.TEST_REQUIREMENTS)
    trun.ensure_venv(trun.BUGSINK_VENV, ROOT / "tests" / "requirements-bugsink.txt")
    trun.ensure_venv(HIREDIS_PYTHON.parents[1], BENCH / "requirements-hiredis.txt")
    trun.ensure_server_roots()


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem_kb = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def package_versions() -> dict:
    code = (
        "import importlib.metadata as m, json, sys;"
        "print(json.dumps({p: m.version(p) for p in sys.argv[1:]}))"
    )
    done = subprocess.run([str(VENV_PYTHON), "-c", code, *PACKAGES], capture_output=True, text=True, check=True)
    versions = json.loads(done.stdout)
    bugsink = ROOT / ".venv-bugsink" / "bin" / "python"
    done = subprocess.run([str(bugsink), "-c", code, "bugsink"], capture_output=True, text=True)
    if done.returncode == 0:
        versions.update(json.loads(done.stdout))
    return versions


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def run_section(name: str, tiny: bool, out: Path, generation: str | None = None) -> dict:
    cmd = [str(VENV_PYTHON), str(BENCH / SECTIONS[name]), "--out", str(out)] + (["--tiny"] if tiny else [])
    if generation:
        cmd += ["--generation", generation]
    log(f"== {name}: {' '.join(cmd[1:])}")
    started, load_before = time.monotonic(), load1()
    done = subprocess.run(cmd, cwd=ROOT, timeout=1800)  # a busy 2-core machine stretches a 20 s section past 10 min
    if done.returncode != 0:
        raise SystemExit(f"bench/{SECTIONS[name]} failed (exit {done.returncode}); nothing written")
    log(f"== {name} done in {time.monotonic() - started:.0f} s")
    section = json.loads(out.read_text())
    section["load"] = [load_before, load1()]  # 1-minute load average when it started and ended: others' work too
    return section


def generations_of(choice: str) -> list[str]:
    return list(GENERATIONS) if choice == "both" else [choice]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--tiny", action="store_true", help="tiny sizes: checks every script runs (seconds, not minutes)"
    )
    parser.add_argument("--only", help=f"comma-separated sections to run: {','.join(SECTIONS)}")
    parser.add_argument("--out-dir", type=Path, help="default: bench/results (full run), a temp dir (--tiny)")
    parser.add_argument("--render", action="store_true", help="only re-render latest.md from latest.json")
    parser.add_argument("--generation", choices=[*GENERATIONS, "both"], default="current",
                        help="servers for the redis, rabbitmq, queues and celery sections (default: current)")
    args = parser.parse_args(argv)

    out_dir = args.out_dir or (Path(tempfile.mkdtemp(prefix="bench-tiny-")) if args.tiny else RESULTS)
    data_file, page_file = out_dir / "latest.json", out_dir / "latest.md"
    if args.render:
        page_file.write_text(render(json.loads(data_file.read_text())))
        log(f"wrote {page_file}")
        return 0

    only = args.only.split(",") if args.only else list(SECTIONS)
    if unknown := set(only) - set(SECTIONS):
        parser.error(f"unknown sections: {sorted(unknown)}")
    gens = generations_of(args.generation)
    data = json.loads(data_file.read_text()) if args.only and data_file.exists() else {"sections": {}}
    if data.get("meta", {}).get("tiny", args.tiny) != args.tiny:
        parser.error(f"{data_file} holds a {'tiny' if args.tiny is False else 'full'} run: re-run all sections")
    if data.get("meta", {}).get("generations", gens) != gens:
        parser.error(f"{data_file} holds a run on {data['meta']['generations']}: re-run all sections")
    data.setdefault("generations", {})

    started = time.monotonic()
    prepare()
    meta = {
        "command": "python3 bench/run.py"
        + (" --tiny" if args.tiny else "")
        + (f" --generation {args.generation}" if args.generation != "current" else "")
        + (f" --only {args.only}" if args.only else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "tiny": args.tiny,
        "ran": only,
        "generations": gens,
        "machine": machine(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    log(f"machine: {meta['machine']}; load average {meta['load_before']}")
    meta["versions"] = package_versions()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in only:
            if name == "site" and not (RESULTS / "latest.md").exists():
                # The site build includes bench/results/latest.md: give a first run the sections it has so far.
                write(data, meta, started, RESULTS / "latest.json", RESULTS / "latest.md")
            if name not in SERVER_SECTIONS:
                data["sections"][name] = run_section(name, args.tiny, Path(tmp) / f"{name}.json")
                continue
            for i, gen in enumerate(gens):  # the first generation fills the page's tables
                section = run_section(name, args.tiny, Path(tmp) / f"{name}-{gen}.json", gen)
                target = data["sections"] if i == 0 else data["generations"].setdefault(gen, {})
                target[name] = section
    write(data, meta, started, data_file, page_file)
    log(f"wrote {data_file} and {page_file} in {meta['seconds']} s")
    return 0


def write(data: dict, meta: dict, started: float, data_file: Path, page_file: Path) -> None:
    meta["load_after"] = [round(x, 2) for x in os.getloadavg()]
    meta["seconds"] = round(time.monotonic() - started)
    for section in data["sections"].values():
        meta["versions"].update(section["versions"])
    meta["servers"] = {}  # {generation: {"Redis server": version, "RabbitMQ": version}}
    for gen, sections in [(meta["generations"][0], data["sections"]), *data.get("generations", {}).items()]:
        found = meta["servers"].setdefault(gen, {})
        for name in SERVER_SECTIONS:
            found.update({k: v for k, v in sections.get(name, {}).get("versions", {}).items()
                          if k in ("Redis server", "RabbitMQ")})  # fmt: skip
    data["meta"] = meta
    data["sections"] = {name: data["sections"][name] for name in SECTIONS if name in data["sections"]}
    data["generations"] = {gen: {name: sections[name] for name in SERVER_SECTIONS if name in sections}
                           for gen, sections in data.get("generations", {}).items()}  # fmt: skip
    data_file.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    page_file.write_text(render(data))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
