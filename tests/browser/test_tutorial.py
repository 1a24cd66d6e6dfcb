"""The tutorial's app, made from the page's text in a fresh venv (the ``tutorial`` fixture),
run as its step 2 says (``uvicorn todo.app:app --reload``, no CF_SECRET_KEY): two tabs live,
and a restart of the server on a saved file does not break the open tabs."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests._net import free_port
from tests._wheel import TutorialRun, offline_env

from .conftest import TIMEOUT_MS, _wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def dev_url(tutorial: TutorialRun, wheelhouse: object) -> Iterator[str]:
    assert tutorial.returncode == 0, tutorial.output[-3000:]
    port = free_port()
    command = [str(tutorial.venv.bin / "uvicorn"), "todo.app:app", "--reload"]
    env = offline_env(tutorial.folder)  # no CF_SECRET_KEY: development, as the tutorial runs it
    server = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"], cwd=tutorial.project, env=env
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


def _open(browser: Browser, url: str) -> Page:
    context = browser.new_context(base_url=url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    return page


def _add(page: Page, text: str) -> None:
    page.get_by_label("New item").fill(text)
    page.get_by_role("button", name="Add").click()


def _restarted(url: str, server_file: object) -> None:
    """Wait until the reloaded server answers with an empty list (the old process's is gone)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000 * 2
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if "Nothing to do yet" in response.read().decode():
                    return
        except OSError:
            pass  # between the old process and the new one
        time.sleep(0.1)
    raise AssertionError("the server did not restart after the saved file")


def test_two_tabs_live_and_a_restart_keeps_them_working(
    browser: Browser, tutorial: TutorialRun, dev_url: str
) -> None:
    a = _open(browser, dev_url)
    b = _open(browser, dev_url)
    _add(a, "milk")
    expect(b.locator(".items li", has_text="milk")).to_be_visible()  # pushed to the other tab

    # Save a Python file, as the reader does while the tutorial's server runs with --reload.
    # (The project is the session's: the file is put back as it was at the end.)
    store = tutorial.project / "todo" / "store.py"
    original = store.read_text()
    store.write_text(original + "\n")
    try:
        _restarted(dev_url + "/", store)
        # Both tabs were signed before the restart; the development key outlived it.
        _add(b, "bread")
        expect(b.locator(".items li", has_text="bread")).to_be_visible()
        expect(a.locator(".items li", has_text="bread")).to_be_visible()
        for page in (a, b):
            expect(page.locator("body")).not_to_contain_text("checksum")
            expect(page.locator("[data-cf-error]")).to_have_count(0)
    finally:
        store.write_text(original)
        a.context.close()
        b.context.close()
