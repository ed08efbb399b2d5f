"""What redis-server does when started with no config file and no flags but a port and a dir.

The Persistence, Memory and Security pages quote these defaults: RDB save points on, AOF off, no memory
limit, noeviction, listening on all interfaces with protected mode on, io-threads 1, a pub/sub output
buffer limit of 32 MB (8 MB for 60 s). Checked on every Redis build (Redis 8.0, Valkey 8.1, Redis 7.0:
services/generations.py), side by side: each server runs for a second on a free port; protected mode
keeps remote clients out.
"""

from __future__ import annotations

import pytest
import redis
from services.each_build import on_each_build
from services.generations import Build
from services.procs import eventually, free_port, spawn, stop

pytestmark = pytest.mark.page("redis/persistence.md", "redis/memory-scaling.md", "redis/security.md")

CHECKED = ("save", "appendonly", "appendfsync", "maxmemory", "maxmemory-policy", "bind", "protected-mode",
           "io-threads", "hash-max-listpack-entries")  # fmt: skip


def defaults_of(build: Build, folder) -> dict[str, str]:
    """The checked settings of `build`'s server started with only --port and --dir, and its pub/sub limit."""
    build.require()
    folder.mkdir()
    port = free_port()
    proc = spawn(build.server_argv("--port", str(port), "--dir", str(folder)), log=folder / "redis.log", cwd=folder)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=5)
        eventually(client.ping, 10, what=f"{build.server} without config ({build})")
        config = client.config_get("*")
        return {
            **{name: config[name] for name in CHECKED},
            "pubsub": config["client-output-buffer-limit"].split("pubsub ")[1],
        }
    finally:
        stop(proc)


def test_defaults_without_a_config_file(tmp_path):
    measured = on_each_build(lambda build: defaults_of(build, tmp_path / build.name))
    for build, config in measured.items():
        assert config == {
            "save": "3600 1 300 100 60 10000",
            "appendonly": "no",
            "appendfsync": "everysec",
            "maxmemory": "0",
            "maxmemory-policy": "noeviction",
            "bind": "* -::*",
            "protected-mode": "yes",
            "io-threads": "1",
            "hash-max-listpack-entries": "512",
            "pubsub": "33554432 8388608 60",  # 32mb hard, 8mb for 60 s: a slow subscriber is cut off
        }, build
