#!/usr/bin/env python3
"""Debian root folders that hold server builds the host lacks, built once per machine and cached.

`ensure("trixie")` returns a Debian 13 root with Redis 8.0, Valkey 8.1 and RabbitMQ 4.0 (the packages
and versions are in roots.json). It is built with mmdebstrap (installed with apt when missing) into
`$GUIDE_ROOTS_DIR/<release>` (default `~/.cache/background-guide/roots/`, outside git, shared by every
checkout on the machine): under a file lock, so two runs never both build, into a temporary name
renamed when complete, with a stamp of what it holds (`.guide-root.json`: the spec's hash, the
package versions dpkg reports inside it). With `GUIDE_ROOTS_ARCHIVE=DIR` a build is also saved as a
tar archive there and restored from it (CI caches that folder: a runner's cache keeps no file owners).

Nothing here mounts anything on the host: servers run in the root through its loader or in a private
mount namespace (services/generations.py). A root is only ever deleted when no mount is inside it and
no process runs from it.

Standard library only: tests/run.py imports it before any venv exists.
CLI: `python3 tests/services/roots.py [--status] [RELEASE ...]` builds (or shows) the roots.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

_CONFIG = json.loads(Path(__file__).with_name("roots.json").read_text())
# How every root is built: mmdebstrap variant; dpkg options (servers need no manuals, docs or translations:
# a smaller root and CI cache); the /etc/hosts written where the release has none (bookworm's minbase),
# since Erlang nodes named NAME@localhost must resolve localhost.
RECIPE: dict = _CONFIG["recipe"]
SPECS: dict[str, dict] = _CONFIG["releases"]
STAMP = ".guide-root.json"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
BUILD_COMMAND = "python3 tests/services/roots.py {release}"

Log = Callable[[str], None]


def _print(msg: str) -> None:
    print(f"[roots] {msg}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    return Path(os.environ.get("GUIDE_ROOTS_DIR") or Path.home() / ".cache" / "background-guide" / "roots")


def path(release: str) -> Path:
    return cache_dir() / release


def spec_key(release: str) -> str:
    """What a root is built from; a root whose stamp carries another key is rebuilt."""
    spec = SPECS[release]
    recipe = {"release": release, "recipe": RECIPE, "spec": spec}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def stamp(release: str, root: Path | None = None) -> dict | None:
    try:
        return json.loads(((root or path(release)) / STAMP).read_text())
    except (FileNotFoundError, ValueError):
        return None


def is_ready(release: str) -> bool:
    found = stamp(release)
    return bool(found) and found.get("key") == spec_key(release)


def build_command(release: str) -> str:
    return BUILD_COMMAND.format(release=release)


def ensure(release: str, log: Log = _print) -> Path:
    """The root for `release`, built (or restored from GUIDE_ROOTS_ARCHIVE) if missing or out of date."""
    target = path(release)
    if is_ready(release):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f".{release}.lock", log, release):
        if is_ready(release):  # another run built it while we waited
            return target
        _remove_leftovers(release, log)
        fresh = target.parent / f"{release}.building-{os.getpid()}"
        if not _restore_archive(release, fresh, log):
            _build(release, fresh, log)
            _check_versions(release, fresh)
            _save_archive(release, fresh, log)
        if target.exists():  # out of date: move aside, delete when nothing uses it
            aside = target.parent / f"{release}.old-{int(time.time())}"
            target.rename(aside)
            remove_if_unused(aside, log)
        fresh.rename(target)
    return target


def describe(release: str) -> str:
    found = stamp(release) or {}
    return ", ".join(f"{name} {version}" for name, version in sorted(found.get("versions", {}).items()))


@contextlib.contextmanager
def _locked(lockfile: Path, log: Log, release: str) -> Iterator[None]:
    with open(lockfile, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"another run is building the {release} root; waiting for it ({lockfile})")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sudo() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo"]


def ensure_mmdebstrap(log: Log = _print) -> str:
    found = shutil.which("mmdebstrap")
    if found and Path(KEYRING).exists():
        return found
    log("installing mmdebstrap and debian-archive-keyring with apt (to build the server roots)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*_sudo(), "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*_sudo(), "apt-get", "install", "-y", "-qq", "mmdebstrap", "debian-archive-keyring"], check=True, env=env
    )
    return shutil.which("mmdebstrap") or sys.exit("mmdebstrap is still missing after apt-get install mmdebstrap")


def _build(release: str, into: Path, log: Log) -> None:
    spec = SPECS[release]
    mmdebstrap = ensure_mmdebstrap(log)
    cmd = [*_sudo(), mmdebstrap, f"--variant={RECIPE['variant']}", f"--include={','.join(spec['packages'])}",
           f"--keyring={KEYRING}", *(f"--dpkgopt={opt}" for opt in RECIPE["dpkg_options"]),
           release, str(into), *spec["mirrors"]]  # fmt: skip
    buildlog = into.parent / f"{release}.build.log"
    log(f"building the Debian {spec['debian']} ({release}) root with mmdebstrap (~40 s, ~250 MB): {into}")
    started = time.monotonic()
    with open(buildlog, "w") as out:
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        remove_if_unused(into, log)
        tail = "\n".join(buildlog.read_text(errors="replace").splitlines()[-25:])
        raise RuntimeError(
            f"mmdebstrap failed ({done.returncode}) building the {release} root:\n{tail}\n(full log: {buildlog})"
        )
    seconds = time.monotonic() - started
    hosts = into / "etc" / "hosts"
    if not hosts.exists():
        _write(hosts, RECIPE["etc_hosts"])
    versions = _dpkg_versions(into, sorted({*spec["packages"], *spec["expect"]}))
    record = {
        "release": release, "debian": spec["debian"], "key": spec_key(release), "packages": spec["packages"],
        "mirrors": spec["mirrors"], "versions": versions, "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(seconds, 1), "mmdebstrap": _mmdebstrap_version(mmdebstrap),
    }  # fmt: skip
    _write(into / STAMP, json.dumps(record, indent=2) + "\n")
    log(f"built the {release} root in {seconds:.0f} s")


def _write(target: Path, text: str) -> None:
    """Write into the root (owned by root: through sudo when we are not)."""
    subprocess.run([*_sudo(), "tee", str(target)], input=text, text=True, stdout=subprocess.DEVNULL, check=True)


def _dpkg_versions(root: Path, packages: list[str]) -> dict[str, str]:
    """What dpkg inside the root says is installed (read from its status file: no chroot needed)."""
    versions, package = {}, None
    for line in (root / "var" / "lib" / "dpkg" / "status").read_text().splitlines():
        if line.startswith("Package: "):
            package = line.split(": ", 1)[1]
        elif line.startswith("Version: ") and package in packages:
            versions[package] = line.split(": ", 1)[1]
    return versions


def upstream(version: str) -> str:
    """'5:8.0.2-3+deb13u3' -> '8.0.2' (no epoch, no Debian revision)."""
    return version.split(":", 1)[-1].rsplit("-", 1)[0]


def version_matches(version: str, want: str) -> bool:
    """`want` is the upstream version or its leading part: '8.1.1' matches '8.1.1+dfsg1', '27' matches
    '27.3.4.1+dfsg'."""
    up = upstream(version)
    return up == want or (up.startswith(want) and up[len(want)] in "+~.")


def _check_versions(release: str, root: Path) -> None:
    found = (stamp(release, root) or {}).get("versions", {})
    wrong = {
        pkg: found.get(pkg)
        for pkg, want in SPECS[release]["expect"].items()
        if not version_matches(found.get(pkg, "-"), want)
    }
    if wrong:
        remove_if_unused(root, _print)
        raise RuntimeError(
            f"the {release} root does not hold the pinned versions {SPECS[release]['expect']}: got {wrong}. "
            "Debian moved on: update tests/services/roots.json and the tests that assert these versions."
        )


def _mmdebstrap_version(binary: str) -> str:
    return subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()


# -- archives (CI cache) ----------------------------------------------------------------------------


def _archive(release: str) -> Path | None:
    folder = os.environ.get("GUIDE_ROOTS_ARCHIVE")
    return Path(folder) / f"{release}-{spec_key(release)}.tar.zst" if folder else None


def _restore_archive(release: str, into: Path, log: Log) -> bool:
    archive = _archive(release)
    if not archive or not archive.exists():
        return False
    started = time.monotonic()
    into.mkdir()
    subprocess.run([*_sudo(), "tar", "--zstd", "--numeric-owner", "-xpf", str(archive), "-C", str(into)], check=True)
    if (stamp(release, into) or {}).get("key") != spec_key(release):
        remove_if_unused(into, log)
        return False
    log(f"restored the {release} root from {archive} in {time.monotonic() - started:.0f} s")
    return True


def _save_archive(release: str, root: Path, log: Log) -> None:
    archive = _archive(release)
    if not archive:
        return
    archive.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    partial = archive.with_name(archive.name + ".partial")
    subprocess.run(
        [*_sudo(), "tar", "--zstd", "--numeric-owner", "-cpf", str(partial), "-C", str(root), "."], check=True
    )
    partial.rename(archive)
    log(
        f"saved the {release} root as {archive} ({archive.stat().st_size / 1e6:.0f} MB) "
        f"in {time.monotonic() - started:.0f} s"
    )


# -- what runs or is mounted inside a root ------------------------------------------------------------


def _inside(target: str, root: Path) -> bool:
    return target == str(root) or target.startswith(f"{root}/")


def mounts_under(root: Path) -> list[str]:
    """Mount points at or below `root` in this mount namespace.

    (`findmnt -R ROOT` lists nothing when ROOT itself is not a mount point, even with ROOT/proc mounted:
    so all mounts are listed and filtered.)"""
    root = Path(os.path.realpath(root))
    listed = subprocess.run(
        ["findmnt", "--raw", "--noheadings", "--output", "TARGET"], capture_output=True, text=True, check=True
    )
    targets = [
        line.encode().decode("unicode_escape") for line in listed.stdout.splitlines()
    ]  # raw output escapes spaces
    return [t for t in targets if _inside(t, root)]


def processes_in(root: Path) -> list[dict]:
    """Processes whose root directory (chroot) or executable (the root's loader) lies inside `root`."""
    root = Path(os.path.realpath(root))
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            links = {name: os.readlink(entry / name) for name in ("root", "exe", "cwd")}
            if _inside(links["root"], root) or _inside(links["exe"], root):
                comm = (entry / "comm").read_text().strip()
                found.append(
                    {"pid": int(entry.name), "comm": comm, **links, "environ": (entry / "environ").read_bytes()}
                )
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def exited(pid: int) -> bool:
    """The process is gone or a zombie: it has closed its ports and files; only its parent's reaping is left
    (here pid 1 reaps a detached RabbitMQ node 1-2 s after it died)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True


def end_processes(pids: list[int], timeout: float = 10.0) -> None:
    """SIGTERM these pids, SIGKILL those still there after `timeout`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while not all(exited(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)


def remove_if_unused(root: Path, log: Log) -> bool:
    """rm -rf `root` unless something is mounted inside it or runs from it (then leave it and say so)."""
    if not root.exists():
        return True
    mounts, procs = mounts_under(root), processes_in(root)
    if mounts or procs:
        users = ", ".join(f"{p['pid']} ({p['comm']})" for p in procs)
        log(f"leaving {root} in place: mounts inside {mounts or 'none'}, processes {users or 'none'}")
        return False
    subprocess.run([*_sudo(), "rm", "-rf", "--one-file-system", str(root)], check=True)
    return True


def _remove_leftovers(release: str, log: Log) -> None:
    """Half-built or replaced roots of crashed or earlier runs (we hold the lock: nobody builds them now)."""
    for stale in [*cache_dir().glob(f"{release}.building-*"), *cache_dir().glob(f"{release}.old-*")]:
        if stale.is_dir():
            remove_if_unused(stale, log)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("releases", nargs="*", default=list(SPECS), help=f"default: {' '.join(SPECS)}")
    parser.add_argument("--status", action="store_true", help="show what is cached, build nothing")
    args = parser.parse_args(argv)
    for release in args.releases:
        if release not in SPECS:
            parser.error(f"unknown release {release!r}; known: {', '.join(SPECS)}")
        if args.status:
            state = f"ready ({describe(release)})" if is_ready(release) else "missing or out of date"
            print(f"{release}: {path(release)}: {state}")
        else:
            started = time.monotonic()
            print(f"{release}: {ensure(release)} ({describe(release)}) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
