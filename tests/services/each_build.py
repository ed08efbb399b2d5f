"""Run a claim's measurement on every build of its server: `on_each_build(measure)` -> {build: what it measured}.

The builds run at once, in threads, each on its own private server (a claim that waits on restarts, expiries
or kills waits once, not once per build). Timings pass `parallel=False`: builds measured side by side would
share the CPU and slow each other down. The result is ordered as the builds are (the snippets' build first),
the order `results.by_build()` renders them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .generations import REDIS_BUILDS, Build

T = TypeVar("T")


def on_each_build(
    measure: Callable[[Build], T], builds: Sequence[Build] = REDIS_BUILDS, *, parallel: bool = True
) -> dict[Build, T]:
    """`measure(build)` for each build; the first failure (in build order) is raised once all have ended."""
    if not parallel:
        return {build: measure(build) for build in builds}
    with ThreadPoolExecutor(len(builds), thread_name_prefix="build") as pool:
        futures = {build: pool.submit(measure, build) for build in builds}
    return {build: future.result() for build, future in futures.items()}
