"""hiredis on/off: the same redis-py, the same server, the parser and command packer chosen per client.

Runs in .venv-bench-hiredis (bench/requirements-hiredis.txt: redis-py + hiredis only), started by
bench_redis.py with the URL of its private server. With hiredis installed, redis-py picks it by
default; passing `parser_class=_RESP3Parser` (redis-py 8 speaks RESP3 by default, and that is the
parser .venv uses) and a `PythonRespSerializer` forces the pure-Python path, so both run in one
process, one after the other, against the same data.
"""

from __future__ import annotations

import statistics

from common import Section, parse_args, timed

import hiredis
import redis
from redis._parsers import Encoder, _HiredisParser, _RESP3Parser
from redis.connection import HiredisRespSerializer, PythonRespSerializer

GROUP = "hiredis"
LIST_LEN = 1000


def client(url: str, use_hiredis: bool) -> redis.Redis:
    if use_hiredis:
        options = {"parser_class": _HiredisParser, "command_packer": HiredisRespSerializer()}
    else:
        packer = PythonRespSerializer(6000, Encoder("utf-8", "strict", False).encode)  # redis-py's defaults
        options = {"parser_class": _RESP3Parser, "command_packer": packer}
    r = redis.Redis.from_url(url, **options)
    conn = r.connection_pool.get_connection()
    try:  # prove the choice took effect
        assert isinstance(conn._parser, _HiredisParser if use_hiredis else _RESP3Parser), type(conn._parser)
        assert conn.protocol == 3, conn.protocol
    finally:
        r.connection_pool.release(conn)
    return r


def single_gets(r: redis.Redis, names: list[str]) -> None:
    for name in names:
        r.get(name)


def pipelined_gets(r: redis.Redis, names: list[str]) -> None:
    for start in range(0, len(names), 1000):
        pipe = r.pipeline(transaction=False)
        for name in names[start : start + 1000]:
            pipe.get(name)
        pipe.execute()


def lranges(r: redis.Redis, times: int) -> None:
    for _ in range(times):
        assert len(r.lrange("bench:list", 0, -1)) == LIST_LEN


def main() -> None:
    args = parse_args(__doc__, lambda p: p.add_argument("--url", required=True))
    n = 300 if args.tiny else 10_000
    times = 5 if args.tiny else 100
    repeats = 1 if args.tiny else 3
    s = Section("hiredis", tiny=args.tiny)
    s.versions["hiredis"] = hiredis.__version__

    setup = redis.Redis.from_url(args.url)
    names = [f"bench:get:{i:06d}" for i in range(n)]
    pipe = setup.pipeline(transaction=False)
    for name in names:
        pipe.set(name, b"v" * 100)
    pipe.delete("bench:list")
    pipe.rpush("bench:list", *[f"item:{i:05d}".encode() for i in range(LIST_LEN)])
    pipe.execute()

    per = f"median of {repeats}, alternating parsers" if repeats > 1 else "1 run"
    clients = {"python": client(args.url, False), "hiredis": client(args.url, True)}
    names_of = {"python": "pure-Python parser", "hiredis": "hiredis parser"}
    cases = {  # case: (label, unit, n, run(r))
        "single": ("GET 100 B, one round trip each", "GET/s", n // 2, lambda r: single_gets(r, names[: n // 2])),
        "pipeline": ("GET 100 B, pipelined in batches of 1000", "GET/s", n, lambda r: pipelined_gets(r, names)),
        "lrange": (f"LRANGE of {LIST_LEN:,} elements", "LRANGE/s", times, lambda r: lranges(r, times)),
    }
    for r in clients.values():
        single_gets(r, names[:500])  # warm up both
    for case, (label, unit, count, run) in cases.items():
        runs: dict[str, list[float]] = {"python": [], "hiredis": []}
        for _ in range(repeats):  # alternate, so load on the machine hits both alike
            for tag, r in clients.items():
                runs[tag].append(timed(run, r))
        for tag in clients:
            s.rate(f"hiredis-{case}-{tag}", GROUP, f"{label}, {names_of[tag]}", n=count,
                   seconds=statistics.median(runs[tag]), unit=unit, note=per)  # fmt: skip
    for r in clients.values():
        r.close()
    for case in ("single", "pipeline", "lrange"):
        s.compare(f"hiredis-{case}-hiredis", f"hiredis-{case}-python", "{x} the pure-Python parser")
    setup.delete(*names, "bench:list")
    setup.close()
    s.dump(args.out)


if __name__ == "__main__":
    main()
