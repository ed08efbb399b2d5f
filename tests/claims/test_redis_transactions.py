"""MULTI/EXEC errors, on a private server: an error found while queueing aborts everything, one found
while running leaves the other commands applied.

The server checks each command when it is queued (name, number of arguments). A bad one makes
`EXEC` answer `EXECABORT` and run nothing; redis-py then raises that command's `ResponseError`
(with `ExecAbortError` as its context), even with `raise_on_error=False`. A command that fails only
while running (`INCR` on text) fails alone. On every Redis build (Redis 8.0, Valkey 8.1, Redis 7.0), side by
side. Table on the redis-py page: snippets/redis/results/transaction_errors.md.
"""

from __future__ import annotations

import pytest
import redis
from services.each_build import on_each_build
from services.results import by_build

pytestmark = pytest.mark.page("redis/redis-py.md")


def transaction_errors_table(server) -> str:
    r = server.client(decode_responses=True)

    with r.pipeline() as pipe, pytest.raises(redis.exceptions.ResponseError) as err:
        pipe.set("name", "ann")
        pipe.execute_command("SET", "other")  # SET without a value: refused while queueing
        pipe.get("name")
        pipe.execute(raise_on_error=False)
    queued = err.value
    assert type(queued) is redis.exceptions.ResponseError
    assert isinstance(queued.__context__, redis.exceptions.ExecAbortError)
    assert str(queued.__context__) == "Transaction discarded because of previous errors."
    nothing_ran = r.get("name")
    assert nothing_ran is None

    with r.pipeline() as pipe:
        pipe.set("name", "ann")
        pipe.incr("name")  # valid command, fails only when it runs
        pipe.get("name")
        done, failed, name = pipe.execute(raise_on_error=False)
    assert done is True and name == "ann" and isinstance(failed, redis.exceptions.ResponseError)

    return (
        "| Error inside `MULTI` ... `EXEC` | what ran | what `execute(raise_on_error=False)` did |\n|---|---|---|\n"
        f"| found while **queueing**: `SET other` (no value) | nothing (`GET name` afterwards: `{nothing_ran}`) "
        f"| raised `{type(queued).__name__}: {queued}`, "
        f"with `{type(queued.__context__).__name__}: {queued.__context__}` as its context |\n"
        f'| found while **running**: `INCR name` on `"ann"` '
        f"| the other commands (`SET` answered `{done}`, `GET` `{name!r}`) "
        f"| returned the error in its place: `{type(failed).__name__}: {failed}` |"
    )


def test_queueing_error_aborts_the_transaction_runtime_error_does_not(private_redis, results):
    tables = on_each_build(lambda build: transaction_errors_table(private_redis(build=build, name=build.name)))
    results("redis/transaction_errors.md", by_build(tables))
