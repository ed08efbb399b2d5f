"""The capstone's files a reader copies: requirements complete and pinned like the repo, and the compose profile
that runs the app and worker with the commands and settings the page shows. No services needed."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from services.paths import DOCS, ROOT, SNIPPETS

pytestmark = pytest.mark.page("capstone/index.md")

PAGE = DOCS / "capstone" / "index.md"


# -- the files a reader copies ---------------------------------------------------------------------


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_capstone_requirements_pin_what_the_repo_pins():
    capstone, root = _pins(SNIPPETS / "capstone" / "requirements.txt"), _pins(ROOT / "requirements.txt")
    assert {name: version for name, version in capstone.items() if root.get(name) != version} == {}


def test_capstone_requirements_are_complete():
    """Every package the app imports, and everything those need (as installed here), is pinned."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    pinned = _pins(SNIPPETS / "capstone" / "requirements.txt")
    needed, todo = set(), ["fastapi", "uvicorn", "email-validator", "redis", "celery", "sentry-sdk"]
    while todo:
        dist = metadata.distribution(todo.pop())
        name = dist.metadata["Name"].lower().replace("_", "-")
        if name in needed:
            continue
        needed.add(name)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    assert needed == set(pinned)


def test_capstone_imports_are_pinned():
    """Each third-party module the package imports comes from a pinned distribution."""
    import importlib.metadata as metadata

    imported = set()
    for path in (SNIPPETS / "capstone").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names)
    assert third_party == {"celery", "fastapi", "pydantic", "redis", "sentry_sdk"}
    owners = metadata.packages_distributions()
    dists = {d.lower().replace("_", "-") for m in third_party for d in owners[m]}
    assert dists <= set(_pins(SNIPPETS / "capstone" / "requirements.txt"))


# -- docker-compose.yml: the capstone profile -------------------------------------------------------

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
CAPSTONE_SERVICES = {"app", "worker", "mailpit"}


def test_plain_compose_up_starts_only_the_tools():
    services = COMPOSE["services"]
    default = {name for name, service in services.items() if not service.get("profiles")}
    assert default == {"redis", "rabbitmq", "bugsink", "bugsink-project"}
    assert {name for name, service in services.items() if service.get("profiles") == ["capstone"]} == CAPSTONE_SERVICES


def _config_under(env: dict[str, str]) -> dict:
    """The settings capstone/config.py computes from exactly `env` (in a fresh interpreter)."""
    code = "import json, capstone.config as c; print(json.dumps({k: getattr(c, k) for k in dir(c) if k.isupper()}))"
    clean = {k: v for k, v in os.environ.items() if k not in _config_variables()}
    done = subprocess.run([sys.executable, "-c", code], cwd=SNIPPETS, env={**clean, **env}, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def _config_variables() -> set[str]:
    return set(re.findall(r'os\.environ\.get\(\s*"(\w+)"', (SNIPPETS / "capstone" / "config.py").read_text()))


def _published(service: str) -> dict[int, int]:
    """{container port: host port} of a compose service."""
    return {int(p.split(":")[-1]): int(p.split(":")[-2]) for p in COMPOSE["services"][service].get("ports", [])}


def test_compose_gives_app_and_worker_the_settings_config_reads():
    app, worker = COMPOSE["services"]["app"], COMPOSE["services"]["worker"]
    assert app["environment"] == worker["environment"]
    env = {k: str(v) for k, v in app["environment"].items()}
    assert set(env) <= _config_variables(), "compose sets a variable config.py does not read"

    inside = _config_under(env)
    from urllib.parse import urlsplit

    # every address points at a compose service, on a port that service listens on
    redis, amqp, dsn = urlsplit(inside["REDIS_URL"]), urlsplit(inside["AMQP_URL"]), urlsplit(inside["SENTRY_DSN"])
    assert (redis.hostname, redis.port) == ("redis", 6379) and 6379 in _published("redis")
    assert (amqp.hostname, amqp.port) == ("rabbitmq", 5672) and 5672 in _published("rabbitmq")
    assert (dsn.hostname, dsn.port) == ("bugsink", 9000) and 9000 in _published("bugsink")
    assert (inside["SMTP_HOST"], inside["SMTP_PORT"]) == ("mailpit", 1025) and 1025 in _published("mailpit")
    assert inside["DATABASE_PATH"].startswith("/data/")
    assert all("capstone-data:/data" in COMPOSE["services"][s]["volumes"] for s in ("app", "worker"))

    # and the same settings as the defaults, with the service name where the defaults say localhost
    defaults = _config_under({})
    for key in ("REDIS_URL", "AMQP_URL", "SENTRY_DSN"):
        host = urlsplit(inside[key]).hostname
        assert inside[key] == defaults[key].replace("@localhost:", f"@{host}:").replace("//localhost:", f"//{host}:")
    assert defaults["SMTP_HOST"] == "localhost" and _published("mailpit")[1025] == defaults["SMTP_PORT"]


def test_compose_runs_the_commands_the_page_shows():
    page = PAGE.read_text()
    commands = {"app": "uvicorn capstone.main:app", "worker": "celery -A capstone.tasks worker --pool threads"}
    for service, command in commands.items():
        assert command in COMPOSE["services"][service]["command"][-1]
        assert command in page
    assert "8080:8080" in COMPOSE["services"]["app"]["ports"][0] and "--port 8080" in page
    assert "capstone/requirements.txt" in COMPOSE["services"]["app"]["command"][-1]
