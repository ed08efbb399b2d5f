"""Headless Debian Chromium driven by Playwright for Python (never `playwright install`), and a static server
for site/."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from .errors import ServiceUnavailable

# Flags that keep Chromium quiet on a machine without network or GPU.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = os.environ.get("GUIDE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise ServiceUnavailable("Chromium", path, "not installed", "apt-get install chromium (tests/run.py does it)")
    return path


@contextmanager
def chromium():
    """Yield a Playwright Browser (headless Chromium from the system); closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@asynccontextmanager
async def async_chromium():
    """The same browser for Playwright's asyncio API (several pages driven at once)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve_dir(directory: Path, handler_class: type = _QuietHandler, path: str = "/"):
    """Serve `directory` over HTTP under `path` ("/", or "/background-guide/" as GitHub Pages serves a project
    site) on a free 127.0.0.1 port in a thread; yields the base URL."""
    prefix = path.strip("/")
    with tempfile.TemporaryDirectory(prefix="serve-") as root:
        if prefix:  # the server's root holds `directory` under `path`, as a symlink
            (Path(root) / prefix).parent.mkdir(parents=True, exist_ok=True)
            (Path(root) / prefix).symlink_to(directory.resolve(), target_is_directory=True)
        handler = functools.partial(handler_class, directory=root if prefix else str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/" + (f"{prefix}/" if prefix else "")
        finally:
            server.shutdown()
            server.server_close()
