"""A redis-py client is thread-safe; a Pipeline is not: two threads sharing one mix up their commands.

A pipeline is a client-side list of queued commands. When two threads queue into the same one, the
first `execute()` sends (and returns) the other thread's commands too, and the second gets nothing
back. The test forces that order with events, so it shows the mix-up on every run; then it lets two
threads run freely on a shared pipeline and on a pipeline each, and counts wrong results (the
shared count varies from run to run; a pipeline per call is never wrong). On every Redis build (Redis 8.0,
Valkey 8.1, Redis 7.0), side by side: most of the time goes into a mixed-up thread waiting out its socket
timeout, and the free-running count varies per run anyway. Table on the redis-py page, a tab per build:
snippets/redis/results/shared_pipeline.md.
"""

from __future__ import annotations

import threading

import pytest
import redis
from services.each_build import on_each_build
from services.results import by_build

pytestmark = pytest.mark.page("redis/redis-py.md")

ROUNDS = 200


def forced_mix_up(r: redis.Redis) -> dict[str, list]:
    """Thread A queues, thread B queues into the same pipeline, A executes, then B."""
    pipe = r.pipeline(transaction=False)  # the bug: one pipeline, e.g. at module level
    a_queued, b_queued, a_done = threading.Event(), threading.Event(), threading.Event()
    got = {}

    def thread_a():
        pipe.set("a", "a")
        pipe.get("a")
        a_queued.set()
        b_queued.wait(10)
        got["a"] = pipe.execute()
        a_done.set()

    def thread_b():
        a_queued.wait(10)
        pipe.set("b", "b")
        pipe.get("b")
        b_queued.set()
        a_done.wait(10)
        got["b"] = pipe.execute()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return got


def wrong_results(r: redis.Redis, shared: bool) -> tuple[int, int]:
    """2 threads x ROUNDS x (SET own key, GET it, execute); a result other than [True, own value] is wrong."""
    shared_pipe = r.pipeline(transaction=False)
    wrong = [0, 0]

    def work(me: int):
        for _ in range(ROUNDS):
            pipe = shared_pipe if shared else r.pipeline(transaction=False)
            try:
                pipe.set(f"t{me}", me)
                pipe.get(f"t{me}")
                if pipe.execute() != [True, str(me)]:
                    wrong[me] += 1
            except Exception:  # noqa: BLE001 - a crash in the mix-up counts as a wrong result too
                wrong[me] += 1

    threads = [threading.Thread(target=work, args=(me,)) for me in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return sum(wrong), 2 * ROUNDS


def shared_pipeline_table(server) -> str:
    r = server.client(decode_responses=True)
    got = forced_mix_up(r)
    assert got == {"a": [True, "a", True, "b"], "b": []}, server.build
    shared = wrong_results(r, shared=True)
    per_call = wrong_results(r, shared=False)
    assert per_call[0] == 0, server.build
    return (
        "| Two threads, one client | what they got back |\n|---|---|\n"
        "| One shared `pipe = r.pipeline()`: thread A queues `SET a`, `GET a`; thread B queues `SET b`, `GET b`; "
        f"A calls `execute()`, then B | A: `{got['a']}`, B: `{got['b']}` |\n"
        f"| The same shared pipeline, each thread 200 × (`SET` own key, `GET` it, `execute()`), free-running "
        f"| {shared[0]} of {shared[1]} results were not the thread's own (varies per run) |\n"
        f"| The same, with a new `r.pipeline()` for each batch | {per_call[0]} of {per_call[1]} wrong |"
    )


def test_threads_sharing_one_pipeline_get_each_others_results(private_redis, results):
    tables = on_each_build(lambda build: shared_pipeline_table(private_redis(build=build, name=build.name)))
    results("redis/shared_pipeline.md", by_build(tables, vary=True), vary=True)
