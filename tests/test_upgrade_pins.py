"""tests/upgrade_pins.py (what the weekly workflow runs): pin rewriting on a fake index, no network."""

from __future__ import annotations

from pathlib import Path

import upgrade_pins
import yaml
from services.paths import ROOT

READER = """\
# What a reader needs, every package pinned exactly.
redis==8.1.0
pika==1.4.4

# their dependencies
typing_extensions==4.16.0  # a comment stays
certifi==2026.10.19.post1
"""
TESTS = """\
-r ../requirements.txt
pytest==9.2.0
Typing-Extensions==4.16.0
not-on-the-index==1.0
"""
# What the index says is newest, by normalized name (as the network lookup returns it).
INDEX = {"redis": "8.2.1", "pika": "1.4.4", "typing-extensions": "4.17.0", "certifi": "2026.11.2", "pytest": "9.3.0"}


def _files(tmp_path: Path) -> list[Path]:
    (tmp_path / "tests").mkdir()
    reader, tests = tmp_path / "requirements.txt", tmp_path / "tests" / "requirements.txt"
    reader.write_text(READER)
    tests.write_text(TESTS)
    return [reader, tests]


def test_rewrite_moves_only_the_pins_and_keeps_everything_else():
    text, changed = upgrade_pins.rewrite(READER, INDEX)
    assert changed == [
        ("redis", "8.1.0", "8.2.1"),
        ("typing_extensions", "4.16.0", "4.17.0"),
        ("certifi", "2026.10.19.post1", "2026.11.2"),
    ]
    assert text.splitlines() == [
        "# What a reader needs, every package pinned exactly.",
        "redis==8.2.1",
        "pika==1.4.4",
        "",
        "# their dependencies",
        "typing_extensions==4.17.0  # a comment stays",
        "certifi==2026.11.2",
    ]
    assert text.endswith("\n")


def test_upgrade_looks_each_package_up_once_and_gives_one_version_per_package(tmp_path):
    files = _files(tmp_path)
    asked: list[str] = []

    def newest(name: str) -> str | None:
        asked.append(name)
        return INDEX.get(name)  # None: the index did not answer for it

    changed = upgrade_pins.upgrade(files, newest)
    assert sorted(asked) == sorted(set(asked)) == ["certifi", "not-on-the-index", "pika", "pytest", "redis",
                                                   "typing-extensions"]  # fmt: skip
    assert changed == [
        ("redis", "8.1.0", "8.2.1"),
        ("typing_extensions", "4.16.0", "4.17.0"),
        ("certifi", "2026.10.19.post1", "2026.11.2"),
        ("pytest", "9.2.0", "9.3.0"),
    ]
    assert upgrade_pins.pins(files[1].read_text()) == {
        "pytest": "9.3.0",
        "Typing-Extensions": "4.17.0",  # the same version as in the other file, its spelling kept
        "not-on-the-index": "1.0",  # no answer: the pin stays
    }
    assert files[1].read_text().startswith("-r ../requirements.txt\n")


def test_dry_run_writes_nothing(tmp_path):
    files = _files(tmp_path)
    assert upgrade_pins.upgrade(files, INDEX.get, write=False)
    assert [f.read_text() for f in files] == [READER, TESTS]


def test_summary_is_a_table_of_package_pinned_newest():
    changed = [("redis", "8.1.0", "8.2.1"), ("certifi", "2026.10.19.post1", "2026.11.2")]
    text = upgrade_pins.summary(changed, checked=6)
    assert "6 packages checked on PyPI, 2 upgraded." in text
    assert "| Package | Pinned | Newest |\n|---|---|---|\n| certifi | 2026.10.19.post1 | 2026.11.2 |\n" in text
    assert "| redis | 8.1.0 | 8.2.1 |" in text
    assert "already the newest" in upgrade_pins.summary([], checked=6)


def test_newest_final_skips_pre_releases_and_yanked_files():
    assert upgrade_pins.newest_final({"info": {"version": "9.3.0"}, "releases": {}}) == "9.3.0"
    document = {
        "info": {"version": "10.0.0rc1"},  # only when a project has nothing newer that is final
        "releases": {"9.10.0": [{"yanked": False}], "9.9.0": [{"yanked": False}], "9.11.0": [{"yanked": True}],
                     "9.12.0": [], "10.0.0rc1": [{"yanked": False}], "9.10.0.post1": [{"yanked": False}]},
    }  # fmt: skip
    assert upgrade_pins.newest_final(document) == "9.10.0.post1"
    assert upgrade_pins.newest_final({"info": {"version": "1.0b1"}, "releases": {"1.0b1": [{}]}}) is None


def test_the_default_files_are_the_repository_pins():
    assert [p.relative_to(ROOT).as_posix() for p in upgrade_pins.FILES] == [
        "requirements.txt", "docs/requirements.txt", "tests/requirements.txt", "snippets/capstone/requirements.txt",
    ]  # fmt: skip
    for path in upgrade_pins.FILES:  # every non-comment line other than an include is a pin the script can move
        lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
        assert [line for line in lines if line and not line.startswith("-r ")] == [
            f"{n}=={v}" for n, v in upgrade_pins.pins(path.read_text()).items()
        ]


def test_the_weekly_workflow_upgrades_then_runs_what_tests_yml_runs():
    """Schedule and manual trigger; the pins rewritten first, then the suite step of tests.yml (its command and
    environment) and the actions it uses, so the weekly run drifts from the push run only by the pins."""
    workflows = ROOT / ".github" / "workflows"
    weekly, tests = (yaml.safe_load((workflows / f).read_text()) for f in ("weekly.yml", "tests.yml"))
    assert set(weekly[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads the key `on` as True
    assert weekly[True]["schedule"][0]["cron"]
    steps = [step for job in weekly["jobs"].values() for step in job["steps"]]
    test_steps = [step for job in tests["jobs"].values() for step in job["steps"]]
    runs = [step.get("run", "") for step in steps]
    upgrade = next(i for i, run in enumerate(runs) if "python3 tests/upgrade_pins.py" in run)
    [suite] = [step for step in steps[upgrade + 1 :] if "python3 tests/run.py" in step.get("run", "")]
    for step in test_steps:
        if "python3 tests/run.py" in step.get("run", ""):
            assert step["run"] == suite["run"] and set(step.get("env", {})) <= set(suite.get("env", {}))
    matrices = [[job.get("strategy", {}).get("matrix") for job in wf["jobs"].values()] for wf in (weekly, tests)]
    assert matrices[0] == matrices[1]  # the same shards, so `--shard "$SHARD"` means the same
    used = {step["uses"].split("@")[0] for step in steps if "uses" in step}
    assert {step["uses"].split("@")[0] for step in test_steps if "uses" in step} <= used
