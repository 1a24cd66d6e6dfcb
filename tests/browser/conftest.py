"""Browser fixtures: the example app under a real uvicorn, and one Chromium for this package.

Package-scoped, not session-scoped: Playwright's sync API keeps an asyncio loop running in the
main thread while it is active, which would break ``asyncio.run`` in later test packages.

Chromium is Debian's (/usr/bin/chromium), launched with ``CHROMIUM_ARGS`` (without the
background-networking flags it keeps trying to reach hosts this machine cannot reach). A browser
that cannot start is an error, never a skip: CI must not pass without running these tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests._net import free_port, wait_for_server

_free_port = free_port  # the name test_django.py and test_fastapi.py import

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


def _wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    # The name the browser tests that start their own app import.
    wait_for_server(port, server, "The example app", timeout)


@contextmanager
def serve_app(
    app: str = "examples.app:app",
    *options: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 20.0,
) -> Iterator[str]:
    """Serve *app* under uvicorn (extra uvicorn *options*, extra *env*) on a free loopback
    port, in a subprocess; yield its base URL."""
    port = free_port()
    env = {**os.environ, "CF_SECRET_KEY": "browser-tests-secret-key-0123456789", **(env or {})}
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen([*command, "--log-level", "warning", *options], cwd=ROOT, env=env)
    try:
        wait_for_server(port, server, "The example app", timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="package")
def base_url() -> Iterator[str]:
    """The example app served by uvicorn on a free loopback port, in a subprocess."""
    with serve_app() as url:
        yield url


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
