"""What redis-server does when started with no config file and no flags but a port and a dir.

The Persistence, Memory and Security pages quote these defaults (Redis 7.0): RDB save points on,
AOF off, no memory limit, noeviction, listening on all interfaces with protected mode on,
io-threads 1, a pub/sub output buffer limit of 32 MB (8 MB for 60 s). The server runs for a second
on a free port, protected mode keeps remote clients out.
"""

from __future__ import annotations

import shutil

import pytest
import redis
from services.procs import eventually, free_port, spawn, stop

pytestmark = pytest.mark.page("redis/persistence.md", "redis/memory-scaling.md", "redis/security.md")


def test_defaults_without_a_config_file(tmp_path):
    port = free_port()
    argv = [shutil.which("redis-server"), "--port", str(port), "--dir", str(tmp_path)]
    proc = spawn(argv, log=tmp_path / "redis.log", cwd=tmp_path)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=5)
        eventually(client.ping, 10, what="redis-server without config")
        config = client.config_get("*")
        assert config["save"] == "3600 1 300 100 60 10000"
        assert config["appendonly"] == "no" and config["appendfsync"] == "everysec"
        assert config["maxmemory"] == "0" and config["maxmemory-policy"] == "noeviction"
        assert config["bind"] == "* -::*" and config["protected-mode"] == "yes"
        assert config["io-threads"] == "1"
        assert config["hash-max-listpack-entries"] == "512"
        pubsub_limit = config["client-output-buffer-limit"].split("pubsub ")[1]
        assert pubsub_limit == "33554432 8388608 60"  # 32mb hard, 8mb for 60 s: a slow subscriber is cut off
    finally:
        stop(proc)
