"""Redis: 10,000 SETs by round trip, pipeline, transaction and asyncio, beside redis-benchmark on the same server.

Everything runs against one private redis-server (free port, temp dir, no persistence) started here, of
the generation asked for (--generation: Redis 8.0 from the Debian 13 root, or Redis 7.0), and that build's
own redis-benchmark.
The hiredis comparison runs in its own small venv (bench/requirements-hiredis.txt) against the same
server, so the guide's .venv keeps redis-py's pure-Python parser, which is what the snippets use.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import tempfile
from pathlib import Path

from common import BENCH, HIREDIS_PYTHON, Row, Section, builds, log, parse_args, timed

import redis
import redis.asyncio
from services.redis_server import RedisServer

VALUE = b"xxx"  # 3 bytes: redis-benchmark's default payload (-d 3)
GROUP = "redis-client"
LIMIT = "redis-limit"


def keys(n: int) -> list[str]:
    return [f"bench:{i:06d}" for i in range(n)]


def one_round_trip_each(r: redis.Redis, names: list[str]) -> None:
    for name in names:
        r.set(name, VALUE)


def pipelined(r: redis.Redis, names: list[str], batch: int, transaction: bool) -> None:
    for start in range(0, len(names), batch):
        pipe = r.pipeline(transaction=transaction)
        for name in names[start : start + batch]:
            pipe.set(name, VALUE)
        pipe.execute()


def asyncio_concurrent(url: str, names: list[str], concurrency: int) -> float:
    async def main() -> float:
        r = redis.asyncio.Redis.from_url(url)
        try:
            await asyncio.gather(*(r.ping() for _ in range(concurrency)))  # open the connections first

            async def worker(first: int) -> None:
                for name in names[first::concurrency]:
                    await r.set(name, VALUE)

            loop = asyncio.get_running_loop()
            started = loop.time()
            await asyncio.gather(*(worker(i) for i in range(concurrency)))
            return loop.time() - started
        finally:
            await r.aclose()

    return asyncio.run(main())


def redis_benchmark(build, port: int, n: int, clients: int, pipeline: int) -> dict[str, float]:
    cmd = ["-h", "127.0.0.1", "-p", str(port), "-t", "set,get", "-n", str(n), "-c", str(clients),
           "--csv"]  # fmt: skip
    if pipeline > 1:
        cmd += ["-P", str(pipeline)]
    done = subprocess.run(build.argv("redis-benchmark", *cmd), capture_output=True, text=True, timeout=120, check=True)
    return {row["test"]: float(row["rps"]) for row in csv.DictReader(io.StringIO(done.stdout))}


def main() -> None:
    args = parse_args(__doc__)
    n = 300 if args.tiny else 10_000
    repeats = 1 if args.tiny else 3
    s = Section("redis", tiny=args.tiny, generation=args.generation)
    build, _ = builds(args.generation)
    build.require()

    with tempfile.TemporaryDirectory(prefix="bench-redis-") as tmp, \
            RedisServer(Path(tmp), name="bench", build=build) as server:  # fmt: skip
        r = redis.Redis.from_url(server.url)
        info = r.info("server")
        s.versions["Redis server"] = info["redis_version"]
        s.versions["redis-py"] = redis.__version__
        names = keys(n)
        one_round_trip_each(r, names[: min(n, 1000)])  # warm up: connection, server, CPU caches
        per = f"median of {repeats}" if repeats > 1 else "1 run"

        s.rate("redis-single", GROUP, "redis-py, one round trip per SET", n=n,
               seconds=timed(one_round_trip_each, r, names, repeats=repeats), unit="SET/s", note=per)  # fmt: skip
        for batch in (100, 1000):
            s.rate(f"redis-pipeline-{batch}", GROUP, f"redis-py pipeline, batch {batch}", n=n,
                   seconds=timed(pipelined, r, names, batch, False, repeats=repeats),
                   unit="SET/s", note=per)  # fmt: skip
        s.rate("redis-transaction-1000", GROUP, "redis-py transaction pipeline (MULTI/EXEC), batch 1000", n=n,
               seconds=timed(pipelined, r, names, 1000, True, repeats=repeats), unit="SET/s", note=per)  # fmt: skip
        for conc in (1, 50):
            runs = sorted(asyncio_concurrent(server.url, names, conc) for _ in range(repeats))
            tasks = "task" if conc == 1 else "tasks"
            s.rate(f"redis-asyncio-{conc}", GROUP, f"redis.asyncio, {conc} concurrent {tasks}",
                   n=n, seconds=runs[len(runs) // 2], unit="SET/s", note=per)  # fmt: skip
        r.flushall()  # our private server only

        # The limit: the C benchmark client on the same server, same run.
        sizes = {(1, 1): 20_000, (1, 16): 100_000, (50, 1): 100_000, (50, 16): 300_000}
        for (clients, pipe), count in sizes.items():
            count = 1000 if args.tiny else count
            log(f"redis-benchmark -c {clients} -P {pipe} -n {count}")
            rps = redis_benchmark(build, server.port, count, clients, pipe)
            suffix = f"c{clients}" + (f"-p{pipe}" if pipe > 1 else "")
            how = f"{clients} {'client' if clients == 1 else 'clients'}"
            how += f", -P {pipe}" if pipe > 1 else ", no pipelining"
            for test in ("SET", "GET"):
                s.rate(f"rb-{test.lower()}-{suffix}", LIMIT, f"redis-benchmark {test}, {how}", n=count,
                       seconds=count / rps[test], unit=f"{test}/s")  # fmt: skip
        r.flushall()

        s.compare("redis-single", "rb-set-c1", "{pct} of redis-benchmark SET, 1 client")
        s.compare("redis-pipeline-100", "redis-single", "{x} one round trip per SET")
        s.compare("redis-pipeline-1000", "redis-single", "{x} one round trip per SET")
        s.compare("redis-pipeline-1000", "rb-set-c1-p16", "{pct} of redis-benchmark SET -P 16, 1 client")
        s.compare("redis-pipeline-1000", "rb-set-c50-p16", "{pct} of redis-benchmark SET -P 16, 50 clients")
        s.compare("redis-transaction-1000", "redis-pipeline-1000", "{pct} of the plain pipeline, batch 1000")
        s.compare("redis-transaction-1000", "redis-single", "{x} one round trip per SET")
        s.compare("redis-asyncio-1", "redis-single", "{pct} of the sync client, one round trip per SET")
        s.compare("redis-asyncio-50", "redis-single", "{x} the sync client, one round trip per SET")
        s.compare("redis-asyncio-50", "rb-set-c50", "{pct} of redis-benchmark SET, 50 clients")
        for test in ("set", "get"):
            s.compare(f"rb-{test}-c1-p16", f"rb-{test}-c1", "{x} the same without -P")
            s.compare(f"rb-{test}-c50", f"rb-{test}-c1", "{x} 1 client")
            s.compare(f"rb-{test}-c50-p16", f"rb-{test}-c50", "{x} the same without -P")

        hiredis_rows(s, server.url, args.tiny)
        r.close()
    s.dump(args.out)


def hiredis_rows(s: Section, url: str, tiny: bool) -> None:
    """Run bench_hiredis.py in the hiredis venv against our server and take its rows into this section."""
    if not HIREDIS_PYTHON.exists():
        raise SystemExit(f"{HIREDIS_PYTHON} missing: run python3 bench/run.py (it creates the venv)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hiredis.json"
        cmd = [str(HIREDIS_PYTHON), str(BENCH / "bench_hiredis.py"), "--url", url, "--out", str(out)]
        subprocess.run(cmd + (["--tiny"] if tiny else []), check=True, timeout=240)
        data = json.loads(out.read_text())
    for row in data["rows"]:
        s.rows[row["id"]] = Row(**row)
    s.versions.update(data["versions"])


if __name__ == "__main__":
    main()
