"""A local SMTP server (aiosmtpd) that keeps every message it receives, for asserting sent emails."""

from __future__ import annotations

import email
import email.policy
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .procs import eventually, free_port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.unknown: set[str] = set()  # recipients answered with a permanent 550
        self.rcpt_attempts: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        self.rcpt_attempts.append(address)
        if address in self.unknown:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Runs in a thread of the test process on 127.0.0.1:<free port>; `messages` is what arrived."""

    def __init__(self) -> None:
        self.port = free_port()
        self._inbox = _Inbox()
        self._controller = Controller(self._inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return self._inbox.messages

    def refuse(self, address: str) -> None:
        """From now on, RCPT TO `address` gets `550 5.1.1 User unknown` (a permanent failure)."""
        self._inbox.unknown.add(address)

    def attempts_for(self, address: str) -> int:
        """How many times a client asked to deliver to `address` (RCPT TO)."""
        return self._inbox.rcpt_attempts.count(address)

    def wait_for(self, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        eventually(lambda: len(self.messages) >= count, timeout, what=f"{count} email(s) at {self.url}")
        return self.messages

    @contextmanager
    def outage(self):
        """The server is down (connections refused) inside the block, and back on the same port after it."""
        self._controller.stop()
        try:
            yield
        finally:
            self._controller = Controller(self._inbox, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
