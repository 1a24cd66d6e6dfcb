"""The FastAPI example in a real Chromium, under uvicorn: a counter, and a staff-only note."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import ROOT, TIMEOUT_MS, _free_port, _wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fastapi_url() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "CF_SECRET_KEY": "browser-tests-secret-key-0123456789"}
    command = [sys.executable, "-m", "uvicorn", "examples.fastapi_app:app", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def page(browser: Browser, fastapi_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=fastapi_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_counter_and_staff_note(page: Page) -> None:
    page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    counter = page.locator('[data-cf-component="counter"]')
    counter.get_by_role("button", name="+1", exact=True).click()
    expect(counter.get_by_test_id("count")).to_have_text("4")
    note = page.locator('[data-cf-component="staff_note"]')
    expect(note.locator('[role="alert"]')).to_have_text("Authentication required.")
    page.goto("/login?name=boss")
    expect(page.locator("#who")).to_have_text("Signed in as boss")
    note.get_by_role("button", name="Add note").click()
    expect(note.get_by_test_id("notes")).to_have_text("Notes: 1")
