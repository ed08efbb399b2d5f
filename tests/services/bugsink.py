"""A local Bugsink (Sentry-compatible server) in its own venv: events are asserted where they are stored.

`Bugsink` starts it and reads back issues and events; `data`, `exception`, `frame_vars`, `crumbs` and
`without_source` pick the parts of a stored event that checks look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import ServiceUnavailable
from .paths import ROOT
from .procs import eventually, free_port, spawn, stop, tail

VENV = Path(os.environ.get("GUIDE_BUGSINK_VENV", ROOT / ".venv-bugsink"))

# Appended to the conf that `bugsink-create-conf --template=local` writes: everything stays in the temp dir.
_CONF_TAIL = """
import os as _os
_HERE = _os.path.dirname(_os.path.abspath(__file__))
DATABASES["default"]["NAME"] = _os.path.join(_HERE, "db.sqlite3")
DATABASES["snappea"]["NAME"] = _os.path.join(_HERE, "snappea.sqlite3")
BUGSINK["PHONEHOME"] = False
BUGSINK["INGEST_STORE_BASE_DIR"] = _os.path.join(_HERE, "ingest")
BUGSINK["ALERTS_WEBHOOK_DENY_NON_GLOBAL"] = False
"""

_SETUP = """
from teams.models import Team
from bsmain.models import AuthToken
Team.objects.create(name="guide")
print(AuthToken.create_full_access().token)
"""


@dataclass
class Project:
    id: int
    dsn: str


class Bugsink:
    """Start with `start()`; `new_project()` gives a DSN; `issues()`/`events()` read what the server stored."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "bugsink"
        self.port = free_port()
        self.log = self.dir / "gunicorn.log"
        self.proc: subprocess.Popen | None = None
        self.token = ""
        self.team = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _bin(self, name: str) -> str:
        path = VENV / "bin" / name
        if not path.exists():
            how = "python3 tests/run.py (it creates .venv-bugsink)"
            raise ServiceUnavailable("Bugsink", str(VENV), f"{name} not found", how)
        return str(path)

    def _env(self) -> dict:
        return {**os.environ, "DJANGO_SETTINGS_MODULE": "bugsink_conf", "PYTHONPATH": str(self.dir)}

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [self._bin("bugsink-manage"), *args], cwd=self.dir, env=self._env(), capture_output=True, text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise ServiceUnavailable("Bugsink", self.url, f"bugsink-manage {args[0]} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> Bugsink:
        """Config and a migrated database in the temp dir; no server yet (`manage()` works from here)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [self._bin("bugsink-create-conf"), "--template=local", "--host=127.0.0.1", f"--port={self.port}"],
            cwd=self.dir, check=True, capture_output=True, timeout=60,
        )
        with open(self.dir / "bugsink_conf.py", "a") as conf:
            conf.write(_CONF_TAIL)
        self._migrated_db()
        return self

    def start(self) -> Bugsink:
        self.prepare()
        self.token = self.manage("shell", "-v", "0", "-c", _SETUP).strip().splitlines()[-1]
        self._serve()
        self.team = self.api("GET", "teams/")["results"][0]["id"]
        return self

    def restart(self) -> Bugsink:
        """Stop the server process and serve the same data again on the same port (a server that went away and came
        back)."""
        self.stop()
        self._serve()
        return self

    def _serve(self) -> None:
        self.proc = spawn(
            [self._bin("gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--no-control-socket",
             "--graceful-timeout", "0", "bugsink.wsgi"],
            log=self.log, cwd=self.dir, env=self._env(),
        )

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise ServiceUnavailable("Bugsink", self.url, f"gunicorn exited:\n{tail(self.log)}")
            with urllib.request.urlopen(f"{self.url}/health/ready", timeout=2) as resp:
                return resp.read().strip() == b"OK"

        try:
            eventually(ready, 30, what="Bugsink /health/ready")
        except ServiceUnavailable:
            raise
        except Exception as exc:  # still not ready when time ran out
            raise ServiceUnavailable("Bugsink", self.url, f"{exc!r}\n{tail(self.log)}") from None

    def _migrated_db(self) -> None:
        """Migrations take seconds: run them once per Bugsink venv ("golden" copy), then copy the SQLite files."""
        golden = VENV / "golden-db"
        if not (golden / "db.sqlite3").exists():
            self.manage("migrate", "-v", "0")
            self.manage("migrate", "snappea", "--database=snappea", "-v", "0")
            tmp = golden.with_name(f"golden-db.{os.getpid()}")
            tmp.mkdir(parents=True, exist_ok=True)
            for name in ("db.sqlite3", "snappea.sqlite3"):
                shutil.copy(self.dir / name, tmp / name)
            try:
                tmp.rename(golden)
            except OSError:  # another run made it first
                shutil.rmtree(tmp, ignore_errors=True)
        else:
            for name in ("db.sqlite3", "snappea.sqlite3"):
                shutil.copy(golden / name, self.dir / name)

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)

    # -- REST API (/api/canonical/0/) -------------------------------------------------------------
    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(
            f"{self.url}/api/canonical/0/{path}", method=method, data=json.dumps(body).encode() if body else None
        )
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"Bugsink API {method} {path} -> {exc.code}: {exc.read()[:500]!r}") from None

    def new_project(self, name: str, **settings) -> Project:
        created = self.api("POST", "projects/", {"name": name[:255], "team": self.team, **settings})
        detail = self.api("GET", f"projects/{created['id']}/")
        return Project(id=int(detail["id"]), dsn=detail["dsn"])

    def issues(self, project: Project | int, q: str | None = None) -> list[dict]:
        """The project's issues; `q` is Bugsink's search (e.g. "release:shop@1.0 environment:staging")."""
        pid = project.id if isinstance(project, Project) else project
        query = f"&q={urllib.parse.quote(q)}" if q else ""
        return self._all(f"issues/?project={pid}{query}")

    def events(self, issue_id: str) -> list[dict]:
        """Full events (with `data`) of one issue, oldest first."""
        return [self.api("GET", f"events/{e['id']}/") for e in reversed(self._all(f"events/?issue={issue_id}"))]

    def all_events(self, project: Project | int) -> list[dict]:
        return [event for issue in self.issues(project) for event in self.events(issue["id"])]

    def _all(self, path: str) -> list[dict]:
        page, results = self.api("GET", path), []
        while True:
            results.extend(page["results"])
            if not page.get("next"):
                return results
            page = self.api("GET", page["next"].split("/api/canonical/0/", 1)[1])

    # -- server-side settings the REST API does not expose (Django ORM via `bugsink-manage shell`) ----
    def shell(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code)

    def add_alert_webhooks(self, project: Project | int, webhooks: dict[str, str]) -> None:
        """Alert on new/regressed issues of `project` by posting to each URL; `webhooks` maps a kind
        ("slack", "discord", "custom", ...) to its webhook URL. One `bugsink-manage shell` for all."""
        pid = project.id if isinstance(project, Project) else project
        self.shell(
            "import json\nfrom alerts.models import MessagingServiceConfig\nfrom projects.models import Project\n"
            f"project = Project.objects.get(id={pid})\n"
            f"for kind, url in {webhooks!r}.items():\n"
            "    MessagingServiceConfig.objects.create(project=project, kind=kind, display_name=kind, "
            "config=json.dumps({'webhook_url': url}))"
        )

    def create_superuser(self, email: str, password: str) -> None:
        """A user who can log in to the web UI (for screenshots), member of every project."""
        self.shell(
            "from django.contrib.auth import get_user_model\n"
            f"get_user_model().objects.create_superuser(username={email!r}, email={email!r}, password={password!r})"
        )

    def __enter__(self) -> Bugsink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# -- the parts of a stored event that checks look at ----------------------------------------------


def data(event: dict) -> dict:
    """What the SDK sent (the API wraps it in `data`)."""
    return event["data"]


def exception(event: dict) -> dict:
    """The exception that was raised last (the one the issue is about)."""
    return data(event)["exception"]["values"][-1]


def frame_vars(event: dict, function: str) -> dict:
    """The local variables the SDK sent for the one frame of `function`."""
    [frame] = [f for f in exception(event)["stacktrace"]["frames"] if f["function"] == function]
    return frame["vars"]


def crumbs(event: dict) -> list[tuple[str | None, str | None]]:
    """(category, message) of each breadcrumb, oldest first."""
    return [(c.get("category"), c.get("message")) for c in data(event).get("breadcrumbs", {}).get("values", [])]


def without_source(d: dict) -> dict:
    """The event minus the source lines around each frame (code, not runtime data: literals in it travel too)."""
    d = json.loads(json.dumps(d))
    for exc in d.get("exception", {}).get("values", []):
        for frame in exc.get("stacktrace", {}).get("frames", []):
            for key in ("pre_context", "context_line", "post_context"):
                frame.pop(key, None)
    return d
