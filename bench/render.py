"""Render bench/results/latest.json as Markdown sections the Benchmarks page includes.

Each table, chart and block is a pymdownx.snippets section (`<!-- --8<-- [start:NAME] -->`), so the
page (docs/benchmarks.md) puts its own prose around `--8<-- "latest.md:NAME"`. Every row carries a
stable HTML id (its row id) that other pages link to: benchmarks.md#redis-pipeline-1000.
Standard library only.
"""

from __future__ import annotations

from common import fmt_num, fmt_x

GROUPS = [
    "redis-client", "redis-limit", "hiredis", "rabbitmq-publish", "rabbitmq-connection", "rabbitmq-consume",
    "queue-throughput", "queue-latency", "queue-memory", "celery-throughput", "celery-latency", "celery-overhead",
    "sentry-requests", "sentry-exceptions", "site",
]  # fmt: skip

# (row id, lead, [ids of the comparisons to quote]) - the closing headline ratios.
HEADLINES = [
    ("redis-pipeline-1000", "Redis: pipelining 1,000 SETs per round trip", ["redis-single", "rb-set-c50-p16"]),
    ("redis-asyncio-50", "Redis: 50 concurrent asyncio tasks", ["redis-single"]),
    ("hiredis-lrange-hiredis", "Redis: the hiredis parser on a 1,000-element reply", ["hiredis-lrange-python"]),
    ("hiredis-single-hiredis", "Redis: hiredis on one-at-a-time GETs", ["hiredis-single-python"]),
    ("rmq-persistent-confirm", "RabbitMQ: waiting for a confirm after each persistent message", ["rmq-persistent"]),
    ("rmq-persistent-confirm-batch", "RabbitMQ: confirms per batch of 100 instead", ["rmq-persistent-confirm"]),
    ("rmq-connection-per-message", "RabbitMQ: a new connection per message", ["rmq-connection-reused"]),
    ("rmq-consume-prefetch-100", "RabbitMQ: consuming with prefetch 100", ["rmq-consume-prefetch-1"]),
    ("q-rmq-publish-confirm", "Queues: RabbitMQ publish with a confirm each, vs Redis LPUSH", ["q-redis-list-push"]),
    ("q-rmq-consume-ack-100", "Queues: RabbitMQ consume + ack (prefetch 100), vs a Redis stream read 100 at a time",
     ["q-redis-stream-ack-100"]),
    ("q-latency-rmq-p50", "Queues: publish-to-consume latency, RabbitMQ vs Redis list (p50)",
     ["q-latency-redis-list-p50"]),
    ("q-mem-rmq-transient", "Queues: memory per queued 1,000-byte message, RabbitMQ vs Redis list",
     ["q-mem-redis-list"]),
    ("celery-redis-threads-ignore", "Celery: Redis as the broker", ["celery-rabbitmq-threads-ignore"]),
    ("celery-rabbitmq-threads-stored", "Celery: storing results in Redis", ["celery-rabbitmq-threads-ignore"]),
    ("celery-rabbitmq-prefork-ignore", "Celery: prefork pool", ["celery-rabbitmq-threads-ignore"]),
    ("celery-roundtrip", "Celery: one task's round trip", ["celery-direct-call"]),
    ("sentry-request-sample1", "Sentry: tracing every request", ["sentry-request-nosdk"]),
    ("sentry-exception-capture", "Sentry: capturing an exception", ["sentry-exception-nosdk"]),
    ("site-snippets", "This site: running every snippet", ["site-build"]),
]

# Charts: (section, title, axis, [(row id, short label)], scale)
CHARTS = [
    ("redis-chart", "SET per second, thousands (longer is faster)", "thousand SET/s", [
        ("redis-single", "redis-py, 1 per round trip"), ("redis-asyncio-1", "asyncio, 1 task"),
        ("redis-asyncio-50", "asyncio, 50 tasks"), ("redis-pipeline-100", "pipeline 100"),
        ("redis-pipeline-1000", "pipeline 1000"), ("redis-transaction-1000", "MULTI/EXEC 1000"),
        ("rb-set-c1", "redis-benchmark, 1 client"), ("rb-set-c50", "redis-benchmark, 50 clients"),
        ("rb-set-c1-p16", "redis-benchmark -P 16, 1 client"),
        ("rb-set-c50-p16", "redis-benchmark -P 16, 50 clients"),
    ], 1000),
    ("rabbitmq-chart", "Messages published per second, thousands (longer is faster)", "thousand msg/s", [
        ("rmq-transient", "transient"), ("rmq-transient-select", "transient, async adapter"),
        ("rmq-transient-confirm", "transient, confirm each"),
        ("rmq-transient-confirm-batch", "transient, confirm per 100"),
        ("rmq-persistent", "persistent"), ("rmq-persistent-select", "persistent, async adapter"),
        ("rmq-persistent-confirm", "persistent, confirm each"),
        ("rmq-persistent-confirm-batch", "persistent, confirm per 100"),
        ("rmq-connection-per-message", "connection per message"),
    ], 1000),
    ("celery-chart", "No-op tasks per second (longer is faster)", "tasks/s", [
        ("celery-rabbitmq-threads-ignore", "RabbitMQ, threads, ignore_result"),
        ("celery-rabbitmq-threads-stored", "RabbitMQ, threads, result stored"),
        ("celery-redis-threads-ignore", "Redis, threads, ignore_result"),
        ("celery-redis-threads-stored", "Redis, threads, result stored"),
        ("celery-rabbitmq-prefork-ignore", "RabbitMQ, prefork, ignore_result"),
        ("celery-rabbitmq-prefork-stored", "RabbitMQ, prefork, result stored"),
    ], 1),
]


# Side-by-side tables for the Redis vs RabbitMQ page: (measure, [row id per column or None]);
# each cell links to its row.
QUEUE_COLUMNS = ["Redis list", "Redis stream", "RabbitMQ queue"]
QUEUE_TABLE = [
    ("Publish, one call per message, the server replies to each",
     ["q-redis-list-push", "q-redis-stream-add", "q-rmq-publish-confirm"]),
    ("Publish, no reply waited for", [None, None, "q-rmq-publish"]),
    ("Publish persistent, confirmed once on disk", [None, None, "q-rmq-publish-persistent-confirm"]),
    ("Consume, one message per call", ["q-redis-list-pop", "q-redis-stream-ack-1", "q-rmq-consume-ack-1"]),
    ("Consume, 100 messages in flight", [None, "q-redis-stream-ack-100", "q-rmq-consume-ack-100"]),
    ("Publish-to-consume latency, p50",
     ["q-latency-redis-list-p50", "q-latency-redis-stream-p50", "q-latency-rmq-p50"]),
    ("Publish-to-consume latency, p99",
     ["q-latency-redis-list-p99", "q-latency-redis-stream-p99", "q-latency-rmq-p99"]),
    ("Memory per queued 1,000-byte message", ["q-mem-redis-list", "q-mem-redis-stream", "q-mem-rmq-transient"]),
    ("Memory per queued persistent message", [None, None, "q-mem-rmq-persistent"]),
]
CELERY_COLUMNS = ["RabbitMQ broker", "Redis broker"]
CELERY_TABLE = [
    ("No-op tasks per second, `ignore_result`", ["celery-rabbitmq-threads-ignore", "celery-redis-threads-ignore"]),
    ("No-op tasks per second, result stored in Redis",
     ["celery-rabbitmq-threads-stored", "celery-redis-threads-stored"]),
    ("Round trip `delay().get()`, p50", ["celery-latency-rabbitmq-p50", "celery-latency-redis-p50"]),
    ("Round trip `delay().get()`, p99", ["celery-latency-rabbitmq-p99", "celery-latency-redis-p99"]),
]


# The server sections shown per generation side by side: (snippet section, groups, which servers the rows use).
GENERATION_TABLES = [
    ("generations-redis", ["redis-client", "redis-limit"], ("Redis server",)),
    ("generations-rabbitmq", ["rabbitmq-publish", "rabbitmq-connection", "rabbitmq-consume"], ("RabbitMQ",)),
    ("generations-queues", ["queue-throughput", "queue-latency", "queue-memory"], ("Redis server", "RabbitMQ")),
    ("generations-celery", ["celery-throughput", "celery-latency"], ("RabbitMQ", "Redis server")),
]
SAME = 0.1  # within 10% either way: "about the same" (a busy 2-core machine is noisier than that)
GENERATION_NAMES = {"current": "current", "debian12": "Debian 12"}
GENERATION_LABELS = {"current": "current, Debian 13", "debian12": "Debian 12"}


def _servers(versions: dict, keys: tuple[str, ...]) -> str:
    names = {"Redis server": "Redis", "RabbitMQ": "RabbitMQ"}
    return " + ".join(f"{names[k]} {versions[k]}" for k in keys if k in versions)


def _better(row: dict, other: dict, names: list[str]) -> str:
    """Which of two generations did better on a row: rates higher, times (and bytes) lower."""
    ratio = row["value"] / other["value"]
    if abs(ratio - 1) <= SAME:
        return "about the same (±10%)"
    first_wins = ratio > 1 if row["kind"] == "rate" else ratio < 1
    return names[0] if first_wins else names[1]


def generation_table(data: dict, groups: list[str], keys: tuple[str, ...]) -> str | None:
    """One line per row of `groups`: its value on each generation of the run, the ratio, which did better."""
    gens = data["meta"].get("generations", [])
    others = data.get("generations", {})
    if len(gens) < 2 or gens[1] not in others:
        return None
    first = all_rows(data)
    second = {row["id"]: row for section in others[gens[1]].values() for row in section["rows"]}
    versions = [_section_versions(data["sections"]), _section_versions(others[gens[1]])]
    heads = [f"{_servers(v, keys)}<br>({GENERATION_LABELS[g]})" for v, g in zip(versions, gens[:2], strict=True)]
    names = [GENERATION_NAMES[g] for g in gens[:2]]
    lines = [f"| Case | {heads[0]} | {heads[1]} | {names[0]} ÷ {names[1]} | Better on |", "|---|---|---|---|---|"]
    shown = 0
    for group in groups:
        for rid, row in first.items():
            if row["group"] != group or rid not in second:
                continue
            other = second[rid]
            lines.append(f"| [{row['label']}](#{rid}) | {fmt_num(row['value'])} {row['unit']} | "
                         f"{fmt_num(other['value'])} {other['unit']} | {fmt_x(row['value'] / other['value'])} | "
                         f"{_better(row, other, names)} |")  # fmt: skip
            shown += 1
    return "\n".join(lines) if shown else None


def _section_versions(sections: dict) -> dict:
    found: dict = {}
    for section in sections.values():
        found.update(section.get("versions", {}))
    return found


def side_by_side(columns: list[str], spec: list[tuple[str, list]], rows: dict, ratio: str | None = None) -> str:
    """A measure per line, a cell per column linking to its row on the Benchmarks page.

    `ratio`: a last column "second ÷ first" (e.g. Redis broker relative to RabbitMQ), from the same run.
    """
    head = ["Measure", *columns] + ([ratio] if ratio else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for measure, ids in spec:
        cells = [f"[{fmt_num(rows[rid]['value'])} {rows[rid]['unit']}](benchmarks.md#{rid})" if rid in rows else "–"
                 for rid in ids]  # fmt: skip
        if ratio:
            a, b = (rows.get(rid) for rid in ids[:2])
            cells.append(fmt_x(b["value"] / a["value"]) if a and b else "–")
        lines.append(f"| {measure} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def all_rows(data: dict) -> dict[str, dict]:
    return {row["id"]: row for section in data["sections"].values() for row in section["rows"]}


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{fmt_num(seconds)} s"
    if seconds >= 0.001:
        return f"{fmt_num(seconds * 1000)} ms"
    return f"{fmt_num(seconds * 1e6)} µs"


def result(row: dict) -> str:
    text = f"{fmt_num(row['value'])} {row['unit']}"
    if row["kind"] == "rate":
        text += f" (one per {_duration(1 / row['value'])})"
    return text


def sample(row: dict) -> str:
    parts = []
    if row.get("n"):
        parts.append(f"{row['n']:,}" + (f" in {_duration(row['seconds'])}" if row.get("seconds") else ""))
    if row.get("note"):
        parts.append(row["note"])
    return "; ".join(parts)


def table(rows: list[dict]) -> str:
    lines = ["| Case | Result | Side by side | Sample |", "|---|---|---|---|"]
    for row in rows:
        side = "; ".join(c["text"] for c in row["compare"]) or "–"
        lines.append(f'| <a id="{row["id"]}"></a>{row["label"]} | {result(row)} | {side} | {sample(row)} |')
    return "\n".join(lines)


def chart(title: str, axis: str, bars: list[tuple[str, str]], scale: float, rows: dict) -> str:
    present = [(rid, label) for rid, label in bars if rid in rows]
    values = [rows[rid]["value"] / scale for rid, _ in present]
    top = max(values) * 1.1
    nice = 10 ** (len(str(int(top))) - 1) if top >= 10 else 1
    top = (int(top / nice) + 1) * nice
    labels = ", ".join(f'"{label}"' for _, label in present)
    return "\n".join([
        "```mermaid", '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#5c6bc0"}}}}%%',
        "xychart-beta horizontal", f'    title "{title}"', f"    x-axis [{labels}]",
        f'    y-axis "{axis}" 0 --> {top:g}', f"    bar [{', '.join(f'{v:.4g}' for v in values)}]", "```",
    ])  # fmt: skip


def meta_block(data: dict) -> str:
    meta, v = data["meta"], data["meta"]["versions"]
    m = meta["machine"]
    server_keys = (("Redis", "Redis server"), ("RabbitMQ", "RabbitMQ"), ("Bugsink", "bugsink"))
    servers = ", ".join(f"{name} {v[key]}" for name, key in server_keys if key in v)
    if meta.get("servers"):  # the servers each generation ran on, private to the run; Bugsink runs once
        per_gen = [f"{GENERATION_LABELS[g]}: {_servers(found, ('Redis server', 'RabbitMQ')).replace(' + ', ', ')}"
                   for g, found in meta["servers"].items()]  # fmt: skip
        servers = "; ".join(per_gen) + (f"; Bugsink {v['bugsink']}" if "bugsink" in v else "")
    loads = [f"{name} {s['load'][0]} → {s['load'][1]}" for name, s in data["sections"].items() if "load" in s]
    for gen, sections in data.get("generations", {}).items():
        loads += [f"{name} ({GENERATION_LABELS[gen]}) {s['load'][0]} → {s['load'][1]}"
                  for name, s in sections.items() if "load" in s]  # fmt: skip
    libs = ", ".join(f"{name} {v[key]}" for name, key in (
        ("redis-py", "redis"), ("hiredis", "hiredis"), ("pika", "pika"), ("Celery", "celery"), ("kombu", "kombu"),
        ("sentry-sdk", "sentry-sdk"), ("FastAPI", "fastapi"), ("MkDocs", "mkdocs"), ("Material", "mkdocs-material"),
    ) if key in v)  # fmt: skip
    kept = [f"{name} ({s['date'][:16].replace('T', ' ')} UTC)" for name, s in data["sections"].items()
            if name not in meta.get("ran", data["sections"])]  # fmt: skip
    lines = [
        "| Run | Details |",
        "|---|---|",
        f"| Command | `{meta['command']}` ({meta['seconds'] // 60} min {meta['seconds'] % 60} s) |",
        f"| Date | {meta['date']}" + (f"; kept from earlier runs: {', '.join(kept)}" if kept else "") + " |",
        f"| Machine | {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB RAM, {m['os']} |",
        f"| Load average, 1 min | {meta['load_before'][0]} before the run, {meta['load_after'][0]} after |",
        *([f"| Load average per section, 1 min (start → end) | {'; '.join(loads)} |"] if loads else []),
        f"| Servers | {servers} |",
        f"| Python and libraries | Python {m['python']}, {libs} |",
    ]
    # Only the load *before* the run tells of other work: the run itself keeps both CPUs busy.
    busy = meta["load_before"][0] > m["cpus"] / 2
    if meta.get("tiny"):
        lines += ["", '!!! danger "Tiny run"',
                  "    These numbers come from `--tiny` sizes: they check that the scripts run, nothing more."]
    if busy:
        lines += ["", '!!! warning "The machine was busy during this run"',
                  f"    The load average before the run was above half the CPU count ({m['cpus']}): "
                  "other processes competed with",
                  "    the clients and servers measured here, so absolute numbers are low and noisy. Ratios taken",
                  "    in the same run suffer less, but re-run `python3 bench/run.py` on an idle machine before",
                  "    relying on any of them."]  # fmt: skip
    return "\n".join(lines)


def headlines(rows: dict) -> str:
    lines = []
    for rid, lead, refs in HEADLINES:
        if rid not in rows:
            continue
        row = rows[rid]
        quoted = [c["text"] for c in row["compare"] if c["to"] in refs]
        lines.append(f"- [{lead}](#{rid}): {'; '.join(quoted)} ({fmt_num(row['value'])} {row['unit']})")
    return "\n".join(lines)


def section(name: str, body: str) -> str:
    return f"<!-- --8<-- [start:{name}] -->\n{body}\n<!-- --8<-- [end:{name}] -->\n"


def render(data: dict) -> str:
    rows = all_rows(data)
    parts = ["<!-- Written by bench/run.py from latest.json; do not edit. "
             "docs/benchmarks.md includes its sections. -->\n",
             section("meta", meta_block(data)), section("headline", headlines(rows))]  # fmt: skip
    missing = "*Not measured in this run: `python3 bench/run.py` fills this in.*"
    for group in GROUPS:  # every section always exists, so the page builds even before a first full run
        members = [row for row in rows.values() if row["group"] == group]
        parts.append(section(group, table(members) if members else missing))
    for name, title, axis, bars, scale in CHARTS:
        present = any(rid in rows for rid, _ in bars)
        parts.append(section(name, chart(title, axis, bars, scale, rows) if present else missing))
    for name, groups, keys in GENERATION_TABLES:
        both = "*Not measured in this run: `python3 bench/run.py --generation both` fills this in.*"
        parts.append(section(name, generation_table(data, groups, keys) or both))
    compared = (("queue-compare", QUEUE_COLUMNS, QUEUE_TABLE, None),
                ("celery-compare", CELERY_COLUMNS, CELERY_TABLE, "Redis ÷ RabbitMQ"))  # fmt: skip
    for name, columns, spec, ratio in compared:
        present = any(rid in rows for _, ids in spec for rid in ids)
        parts.append(section(name, side_by_side(columns, spec, rows, ratio) if present else missing))
    notes = [note for s in data["sections"].values() for note in s["notes"]]
    parts.append(section("notes", "\n".join(f"- {note}" for note in notes) or "- (none)"))
    return "\n".join(parts)
