"""A local SMTP server (aiosmtpd) that keeps every message it receives, for asserting sent emails."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .procs import eventually, free_port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

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

    def wait_for(self, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        eventually(lambda: len(self.messages) >= count, timeout, what=f"{count} email(s) at {self.url}")
        return self.messages

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
