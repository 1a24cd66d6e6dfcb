"""The Flask example in a real Chromium under gunicorn's threaded workers: events with
Flask-WTF's CSRF token, Flask-Login's user, a stream, and a push from a plain view reaching
another tab over the WebSocket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests._gunicorn import serve_gunicorn

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def flask_url() -> Iterator[str]:
    with serve_gunicorn("examples.flask_app:app") as url:
        yield url


@pytest.fixture
def context(browser: Browser, flask_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=flask_url)
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _open(context: BrowserContext, path: str = "/") -> Page:
    page = context.new_page()
    page.goto(path)
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    return page


def test_events_users_and_streams(context: BrowserContext) -> None:
    page = _open(context)
    counter = page.locator('[data-cf-component="counter"]')
    counter.get_by_role("button", name="+1", exact=True).click()  # sent with the CSRF token
    expect(counter.get_by_test_id("count")).to_have_text("4")
    note = page.locator('[data-cf-component="member_note"]')
    expect(note.locator('[role="alert"]')).to_have_text("Authentication required.")
    page.goto("/login?name=ann")
    expect(page.locator("#who")).to_have_text("Signed in as ann")
    note.get_by_role("button", name="Add note").click()
    expect(note.get_by_test_id("notes")).to_have_text("Notes: 1")
    progress = page.locator('[data-cf-component="progress"]')
    progress.get_by_role("button", name="Start a 5-step job").click()
    expect(progress.get_by_test_id("progress-status")).to_have_text("Done: 5 steps")


def test_a_view_pushes_to_another_tab(context: BrowserContext) -> None:
    watcher = _open(context)
    announcement = watcher.locator('[data-cf-component="announcement"]')
    expect(announcement).to_have_attribute("data-cf-subscribed", "")
    writer = _open(context)
    writer.get_by_label("Announcement").fill("Doors open at 9")
    writer.get_by_role("button", name="Announce").click()
    expect(announcement.get_by_test_id("announcement")).to_have_text("Doors open at 9")
