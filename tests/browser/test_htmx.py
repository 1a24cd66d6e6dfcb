"""htmx interop in Chromium, with htmx.org from npm: a component driven by htmx attributes
(form-encoded events, the reply carrying the signed state for the next one), its refusals in
its error box, and the page's own htmx untouched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests._htmx import HTMX_VERSION, htmx_script

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def htmx_url() -> Iterator[str]:
    env = {"CF_TEST_HTMX": str(htmx_script())}
    with serve_app("limits_app:app", "--app-dir", "tests/browser", env=env) as url:
        yield url


@pytest.fixture
def page(browser: Browser, htmx_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=htmx_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/htmx")
    assert page.evaluate("htmx.version") == HTMX_VERSION
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_htmx_drives_a_component_and_shows_its_refusals(page: Page) -> None:
    notes = page.locator('[data-cf-htmx="notes"]')
    note = notes.get_by_label("Note")
    for text, count in (("milk", "1 notes"), ("eggs", "2 notes")):
        note.fill(text)
        notes.get_by_role("button", name="Add").click()
        expect(notes.get_by_test_id("count")).to_have_text(count)
    expect(notes.locator("li")).to_have_text(["milk", "eggs"])
    # A field error is the component's own render.
    notes.get_by_role("button", name="Add").click()
    expect(notes.locator(".field-error")).to_have_text("Write a note first.")
    # The fourth add in a minute (the empty one counted) is refused: 429, in the error box,
    # and the component keeps its state.
    note.fill("bread")
    notes.get_by_role("button", name="Add").click()
    expect(notes.get_by_role("alert")).to_contain_text("Too many requests: at most 3 'add'")
    expect(notes.get_by_test_id("count")).to_have_text("2 notes")
    # The next allowed event replaces the root: the error box is empty again.
    notes.get_by_role("button", name="Clear").click()
    expect(notes.get_by_test_id("count")).to_have_text("0 notes")
    expect(notes.get_by_role("alert")).to_be_hidden()


def test_the_pages_own_htmx_is_untouched(page: Page) -> None:
    page.get_by_role("button", name="Plain htmx").click()
    expect(page.locator("#plain")).to_have_text("Plain htmx still works.")
