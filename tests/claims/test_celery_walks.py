"""Each Celery page, followed top to bottom as its reader does (services/page_walk.py).

The snippet tests give every example app a broker space of its own; a reader has one broker. Here a
page's steps run in order on one private RabbitMQ node's default vhost ("/", made afresh for each walk; the
node serves the walks of one xdist worker) and one private Redis,
with every worker, beat, Flower and web app the page started earlier still running, and each
snippet must print its `#>` lines. Two apps consuming one queue take each other's tasks
(`NotRegistered`); each example app of these pages has a queue of its own (`task_default_queue`).
"""

from __future__ import annotations

import sys
import tomllib

import httpx
import pytest
from harness import forget_snippet, package_globals
from pytest_examples import CodeExample
from services.page_walk import Step, Walk, steps
from services.paths import SNIPPETS
from services.rabbitmq_node import RabbitNode
from services.redis_server import RedisServer
from services.smtp import SmtpServer
from services.snippets import expected_output
from services.snippets import run as run_script

LINE_LENGTH = tomllib.loads((SNIPPETS / "ruff.toml").read_text())["line-length"]


@pytest.fixture(scope="session")
def walk_broker():
    """The walks' RabbitMQ node, one per worker (a node takes ~7 s to start and ~6 s to stop); `reader` gives each
    walk its default vhost afresh. `walk_broker.walked`: a walk has used the vhost since it was made."""
    with RabbitNode() as node:
        node.walked = False
        yield node


@pytest.fixture
def reader(tmp_path, walk_broker):
    """What a reader has: a broker (its default vhost, new: no queue, exchange or message of an earlier walk), a
    Redis, a mail server on localhost, one shell's env."""
    if walk_broker.walked:  # an earlier walk's vhost, with its queues and messages: the reader starts on a new one
        walk_broker.ctl("delete_vhost", "/")
        walk_broker.ctl("add_vhost", "/")
        walk_broker.ctl("set_permissions", "-p", "/", "guest", ".*", ".*", ".*")
    walk_broker.walked = True
    with RedisServer(tmp_path, name="redis-walk") as redis_server, SmtpServer() as smtp:
        env = {"AMQP_URL": walk_broker.url, "REDIS_URL": redis_server.url, "SENTRY_DSN": "",
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)}
        walk = Walk(env, tmp_path)
        try:
            yield walk
        finally:
            walk.stop()


def run_snippet(rel: str, walk: Walk, eval_example, monkeypatch) -> None:
    """Run a snippet as test_snippets.py does, in the walk's env; its output must match its `#>` lines.

    Django snippets run as `python <file>` from their folder instead: `django.setup()` configures the
    process once, and an in-process run would leave this walk's settings (its broker) to later tests.
    """
    path = SNIPPETS / rel
    if "django_site" in path.parts:
        done = run_script(path, env=walk.env, timeout=120)
        assert (done.returncode, done.stdout.splitlines()) == (0, expected_output(rel)), f"{done.stderr}\n{walk.logs()}"
        return
    failure = None
    for attempt in (1, 2):
        failure = _run_in_process(path, walk, eval_example, monkeypatch)
        # CPython 3.11.7's ast can raise this spuriously (gh-106905, fixed in 3.11.8): run the snippet again
        if not (failure and "AST constructor recursion depth mismatch" in failure and attempt == 1):
            break
    if failure:  # outside the except block: pytest cannot render pytest-examples' synthetic traceback
        pytest.fail(f"walking, at {rel}:\n{failure}\n\n{walk.logs()}", pytrace=False)


def _run_in_process(path, walk: Walk, eval_example, monkeypatch) -> str | None:
    before = set(sys.modules)
    with monkeypatch.context() as patch:
        for key, value in walk.env.items():
            patch.setenv(key, value)
        patch.chdir(path.parent)
        patch.syspath_prepend(str(SNIPPETS))
        patch.syspath_prepend(str(path.parent))
        try:
            example = CodeExample.create(path.read_text(), path=path)
            eval_example.set_config(line_length=LINE_LENGTH)  # as test_snippets.py: the `#>` layout
            eval_example.run_print_check(example, module_globals=package_globals(path))
        except Exception as exc:  # noqa: BLE001 - reported by the caller, readably (see test_snippets._describe)
            return f"{type(exc).__name__}: {exc}"
        finally:
            forget_snippet(before)
    return None


def walk_page(page: str, walk: Walk, eval_example, monkeypatch) -> list[Step]:
    done = []
    for step in steps(page):
        if step.kind == "start":
            walk.start(step.what, step.folder)
        elif step.kind == "run":
            run_snippet(step.what, walk, eval_example, monkeypatch)
        done.append(step)
    assert any(step.kind == "run" for step in done), f"{page}: nothing to walk"
    return done


@pytest.mark.page("celery/first-app.md")
def test_first_app_page_in_order(reader, eval_example, monkeypatch):
    """Both tabs, the RabbitMQ tab's worker still running: each starts in the folder of the `tasks.py` it shows."""
    done = walk_page("celery/first-app.md", reader, eval_example, monkeypatch)
    assert [s.folder for s in done if s.kind == "start"] == ["celery/first_app/rabbitmq", "celery/first_app/redis"]


@pytest.mark.page("celery/reliability.md")
def test_reliability_page_in_order(reader, eval_example, monkeypatch):
    walk_page("celery/reliability.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/workers.md")
def test_workers_page_in_order(reader, eval_example, monkeypatch):
    walk_page("celery/workers.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/calling.md")
def test_calling_page_in_order(reader, eval_example, monkeypatch):
    walk_page("celery/calling.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/retries.md")
def test_retries_page_in_order(reader, eval_example, monkeypatch):
    """The time-limit worker starts while the retries worker still runs (the walk never stops a worker)."""
    done = walk_page("celery/retries.md", reader, eval_example, monkeypatch)
    assert [s.what.split()[2] for s in done if s.kind == "start"] == ["retry_tasks", "time_limit_tasks"]


@pytest.mark.page("celery/canvas.md")
def test_canvas_page_in_order(reader, eval_example, monkeypatch):
    walk_page("celery/canvas.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/serialization.md")
def test_serialization_page_in_order(reader, eval_example, monkeypatch):
    walk_page("celery/serialization.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/periodic.md")
def test_periodic_page_in_order(reader, eval_example, monkeypatch):
    walk_page("celery/periodic.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/monitoring.md")
def test_monitoring_page_in_order(reader, eval_example, monkeypatch, results):
    """Then, with the page's Flower still running: what its Prometheus `/metrics` exports (review finding #12)."""
    walk_page("celery/monitoring.md", reader, eval_example, monkeypatch)
    metrics = httpx.get(f"{reader.env['FLOWER_URL']}/metrics", auth=("admin", "change-me"), timeout=10)
    assert metrics.status_code == 200, metrics.text[:500]
    names = sorted({line.split()[2] for line in metrics.text.splitlines() if line.startswith("# TYPE ")})
    flower_names = [name for name in names if name.startswith("flower_")]
    assert flower_names and not [name for name in flower_names if "queue" in name]
    results("celery/flower_metrics.md", "\n".join(["| Metric (Flower's `/metrics`) |", "|---|",
                                                   *(f"| `{name}` |" for name in flower_names)]))


@pytest.mark.page("celery/integrations.md")
def test_integrations_page_in_order(reader, eval_example, monkeypatch):
    walk_page("celery/integrations.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/pitfalls.md")
def test_pitfalls_page_in_order(reader, eval_example, monkeypatch):
    """The pitfall snippets need the workers of other pages: the page shows the commands that start them."""
    walk_page("celery/pitfalls.md", reader, eval_example, monkeypatch)


@pytest.mark.page("celery/retries.md")
def test_walk_sees_the_readers_steps_in_page_order():
    assert [str(s) for s in steps("celery/retries.md")] == [
        "start celery -A retry_tasks worker --pool threads --loglevel INFO",
        "run celery/retry_manual.py",
        "run celery/retry_autoretry_backoff.py",
        "start celery -A time_limit_tasks worker --pool prefork --concurrency 1 --loglevel INFO",
        "run celery/time_limits.py",
    ]


@pytest.mark.page("celery/workers.md")
def test_workers_page_after_the_first_pages(reader, eval_example, monkeypatch):
    """A reader who walked First app and Reliability before, their workers still running: `ping` and `inspect`
    reach every worker on the broker, whatever its app; the page's snippets ask the page's two workers only."""
    walk_page("celery/first-app.md", reader, eval_example, monkeypatch)
    walk_page("celery/reliability.md", reader, eval_example, monkeypatch)
    walk_page("celery/workers.md", reader, eval_example, monkeypatch)


@pytest.mark.page("compare.md", "relationship.md")
def test_compare_then_relationship_pages_in_order(reader, eval_example, monkeypatch):
    """Both brokers' work-queue, fan-out and delayed-job snippets, the page's Celery app; then, its worker still
    running, the `rpc://` app of the next page: each app has a queue of its own, so each worker gets its tasks."""
    walk_page("compare.md", reader, eval_example, monkeypatch)
    walk_page("relationship.md", reader, eval_example, monkeypatch)
