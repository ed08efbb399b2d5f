"""Every server build the guide is tested on starts, answers, reports its version and stops, leaving no
process and no mount behind; a RabbitMQ 4.0 cluster forms and survives kill -9 of a node; Sentinel
reports the primary and promotes the replica.

The builds are in services/generations.py: Redis 8.0, Valkey 8.1 and RabbitMQ 4.0 run from the Debian 13
root that tests/run.py builds once per machine (services/roots.py); Redis 7.0 and RabbitMQ 3.10 are
this Debian 12 host's own (a Debian 12 root elsewhere). Other runs may use the same root at the same
time, so "left behind" means processes that carry this test's node name or server folder.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pika
import pytest
from services import generations, roots
from services.errors import ServiceUnavailable
from services.generations import RABBITMQ_4_0, RABBITMQ_BUILDS, REDIS_8_0, REDIS_BUILDS, Build
from services.rabbitmq_cluster import RabbitCluster
from services.rabbitmq_node import RabbitNode
from services.redis_sentinel import RedisSentinels
from services.redis_server import RedisServer

# What INFO server must say, per build (Valkey 8.1 keeps redis_version at 7.2.4 for clients that check it).
REDIS_INFO = {
    "redis-8.0": {"redis_version": "8.0.2"},
    "valkey-8.1": {"server_name": "valkey", "valkey_version": "8.1.1", "redis_version": "7.2.4"},
    "redis-7.0": {"redis_version": "7.0.15"},
}
RABBITMQ_VERSIONS = {"rabbitmq-4.0": ("4.0.5", "27"), "rabbitmq-3.10": ("3.10.8", "25")}


def assert_nothing_left(build: Build, marker: str) -> None:
    left = generations.processes_marked(marker, build)
    assert not left, f"{build} left processes behind: {[(p['pid'], p['comm'], p['cmdline']) for p in left]}"
    if build.root is not None:
        assert roots.mounts_under(build.root) == [], f"mounts left inside {build.root}"


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_redis_build_starts_answers_reports_its_version_and_stops(build, tmp_path):
    assert build.installed_version() == build.version
    server = RedisServer(tmp_path, name=build.name, build=build).start()
    try:
        client = server.client(decode_responses=True)
        client.set("generation", build.generation)
        assert client.get("generation") == build.generation
        info = client.info("server")
        assert {key: info.get(key) for key in REDIS_INFO[build.name]} == REDIS_INFO[build.name]
        pid = info["process_id"]
    finally:
        server.stop()
    assert not (Path(f"/proc/{pid}")).exists()
    assert_nothing_left(build, str(server.dir))


def _overview(node: RabbitNode) -> dict:
    request = urllib.request.Request(f"{node.management_url}/api/overview")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.mark.slow
@pytest.mark.parametrize("build", RABBITMQ_BUILDS, ids=str)
def test_rabbitmq_build_starts_answers_reports_its_version_and_stops(build):
    version, erlang = RABBITMQ_VERSIONS[build.name]
    assert build.installed_version() == build.version == version
    node = RabbitNode(build=build, management=True).start()
    try:
        status = json.loads(node.ctl("status", "--formatter", "json"))
        assert status["rabbitmq_version"] == version
        assert status["erlang_version"].startswith(f"Erlang/OTP {erlang} ")
        overview = _overview(node)
        assert (overview["rabbitmq_version"], overview["erlang_version"].split(".")[0]) == (version, erlang)
        with pika.BlockingConnection(pika.URLParameters(node.url)) as connection:
            channel = connection.channel()
            channel.queue_declare("generation", durable=True)
            channel.confirm_delivery()
            channel.basic_publish("", "generation", build.name.encode())
            _, _, body = channel.basic_get("generation", auto_ack=True)
        assert body == build.name.encode()
        pid = int(node.pidfile.read_text())
    finally:
        node.stop()
    assert roots.exited(pid)  # gone, or a zombie whose ports are closed (pid 1 reaps it a second or two later)
    assert not node.dir.exists()
    assert_nothing_left(build, node.name)


@pytest.mark.slow
def test_three_rabbitmq_4_0_nodes_form_a_cluster_and_a_killed_node_rejoins():
    cluster = RabbitCluster(RABBITMQ_4_0)
    names = sorted(node.name for node in cluster.nodes)
    with cluster:
        assert all(cluster.running_nodes(via=i) == names for i in range(3))
        cluster.kill9(1)
        assert cluster.running_nodes(via=0) == sorted(set(names) - {cluster.nodes[1].name})
        cluster.restart(1)
        assert cluster.running_nodes(via=2) == names
    for node in cluster.nodes:
        assert_nothing_left(RABBITMQ_4_0, node.name)


@pytest.mark.parametrize("build", REDIS_BUILDS, ids=str)
def test_sentinels_report_the_primary_and_promote_the_replica(build, tmp_path):
    with RedisSentinels(tmp_path, build) as setup:
        primary = ("127.0.0.1", setup.primary.port)
        assert [setup.primary_address(i) for i in range(3)] == [primary] * 3
        assert setup.replica.client().info("replication")["role"] == "slave"
        setup.kill9_primary()
        assert setup.wait_failover() == ("127.0.0.1", setup.replica.port)
        assert setup.replica.client().info("replication")["role"] == "master"
    assert_nothing_left(build, str(setup.dir))


@pytest.mark.parametrize("build", [REDIS_8_0, RABBITMQ_4_0], ids=str)
def test_a_missing_root_names_the_build_where_it_belongs_and_how_to_build_it(build, tmp_path):
    missing = dataclasses.replace(build, root=tmp_path / "roots" / "trixie")
    with pytest.raises(ServiceUnavailable) as failure:
        if build.kind == "redis":
            RedisServer(tmp_path, build=missing).start()
        else:
            RabbitNode(build=missing)
    message = str(failure.value)
    assert f"{build.label} ({build.name})" in message
    assert str(tmp_path / "roots" / "trixie") in message
    assert "python3 tests/services/roots.py trixie" in message


def test_a_root_with_a_mount_inside_is_never_deleted(tmp_path):
    """The guard before any rm -rf of a root: a proc mount inside it (here in a private mount namespace,
    gone with the process) is seen, and the folder stays."""
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    script = (
        "import sys; sys.path.insert(0, 'tests'); from pathlib import Path; from services import roots; "
        f"root = Path({str(root)!r}); print(roots.mounts_under(root)); print(roots.remove_if_unused(root, print))"
    )
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           f'mount -t proc proc "{root}/proc" && exec "$0" -c "$1"', sys.executable, script],
                          capture_output=True, text=True, cwd=Path(__file__).parents[1], timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == str([str(root / "proc")])
    assert done.stdout.splitlines()[-1] == "False"
    assert (root / "proc").is_dir()
    assert roots.mounts_under(root) == []  # the mount went with the namespace
