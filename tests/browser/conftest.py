"""Browser fixtures: the example app under a real uvicorn, and one Chromium for this package.

Package-scoped, not session-scoped: Playwright's sync API keeps an asyncio loop running in the
main thread while it is active, which would break ``asyncio.run`` in later test packages.

Chromium is Debian's (/usr/bin/chromium), launched with the flags DESIGN.md gives. A browser
that cannot start is an error, never a skip: CI must not pass without running these tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Generous upper bounds, not timings: the machine running the suite may be busy.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The example app exited with code {server.returncode}.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"The example app did not listen on 127.0.0.1:{port} in {timeout}s.")


@pytest.fixture(scope="package")
def base_url() -> Iterator[str]:
    """The example app served by uvicorn on a free loopback port, in a subprocess."""
    port = _free_port()
    env = {**os.environ, "CF_SECRET_KEY": "browser-tests-secret-key-0123456789"}
    command = [sys.executable, "-m", "uvicorn", "examples.app:app", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the browser tests; failing to start fails them (never a skip)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page (own context) on the example app, with cf.js ready."""
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
