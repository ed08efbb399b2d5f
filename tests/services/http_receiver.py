"""A tiny HTTP server in a thread of the test process: it records every request and answers what it is told.

Stands in for webhook endpoints (Slack, Discord, Twilio) and for misbehaving Sentry servers
(429 with Retry-After). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from dataclasses import dataclass, field

from .procs import eventually


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"ok": true}'


class HttpReceiver:
    """`with HttpReceiver() as r:` → `r.url`; `r.requests` is what arrived; `r.reply` is what every request gets."""

    def __init__(self, reply: Reply | None = None) -> None:
        self.requests: list[Received] = []
        self.reply = reply or Reply()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.requests.append(Received(self.command, self.path, dict(self.headers), body))
                reply = receiver.reply
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_GET = do_PUT = _handle

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Received]:
        eventually(lambda: len(self.requests) >= count, timeout, what=f"{count} request(s) at {self.url}")
        return self.requests

    def __enter__(self) -> HttpReceiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
