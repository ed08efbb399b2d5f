"""Exact texts from RabbitMQ for the pages: error lines as Python prints them, the node's log, rabbitmqctl output.

Texts a page shows carry run-specific parts (Erlang pids, node names, ports, consumer tags); `normalised()`
replaces them so a normal run can compare with the file the page includes.
"""

from __future__ import annotations

import re
import subprocess
import time
import traceback

from .procs import eventually
from .rabbitmq_node import RabbitNode

_RUN_SPECIFIC = [
    (re.compile(r"<\d+\.\d+\.\d+>"), "<PID>"),  # Erlang process ids in log lines
    (re.compile(r"guide[0-9a-f]{8}@localhost"), "NODE"),
    (re.compile(r"ctag1\.[0-9a-f]+"), "CTAG"),
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), r"\1:PORT"),
    (re.compile(r"port=\d+"), "port=PORT"),
]


def normalised(text: str) -> str:
    for pattern, replacement in _RUN_SPECIFIC:
        text = pattern.sub(replacement, text)
    return text


def exception_line(exc: BaseException) -> str:
    """The last line of the traceback a reader sees (`module.Class: message`), exactly as Python prints it."""
    return traceback.format_exception_only(exc)[-1].rstrip("\n")


def log_lines(node: RabbitNode, pattern: str, *, after: int = 0, timeout: float = 20) -> list[str]:
    """Lines of the node's log (from byte `after` on) that contain `pattern`, without the timestamp; waits for one."""

    def found() -> list[str]:
        text = node.log.read_bytes()[after:].decode(errors="replace")
        return [re.sub(r"^\S+ \S+ ", "", line) for line in text.splitlines() if pattern in line]

    return eventually(found, timeout, interval=0.2, what=f"{pattern!r} in {node.log}")


def log_size(node: RabbitNode) -> int:
    return node.log.stat().st_size if node.log.exists() else 0


def wait_for_log_quiet(node: RabbitNode, seconds: float = 0.5) -> None:
    """Let a multi-line log record finish (the broker writes its lines one by one)."""
    size = -1
    while size != log_size(node):
        size = log_size(node)
        time.sleep(seconds)


def rabbitmqctl(node: RabbitNode, *args: str) -> tuple[int, str]:
    """`rabbitmqctl -n NODE args` as a reader runs it: the exit code and everything it printed (also on failure,
    unlike RabbitNode.ctl, which raises)."""
    argv, env = node.build.command("rabbitmqctl", "-n", node.name, *args, env=node._env())
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    return done.returncode, (done.stdout + done.stderr).strip()
