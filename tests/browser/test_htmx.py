"""htmx interop in Chromium, with htmx.org from npm: a component driven by htmx attributes
(form-encoded events, the reply carrying the signed state for the next one), its refusals in
its error box, and the page's own htmx untouched."""

from __future__ import annotations

import re
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


def test_htmx_applies_the_url_and_browser_events_of_a_reply(page: Page) -> None:
    pager = page.locator('[data-cf-htmx="hx_pager"]')
    pager.get_by_role("button", name="Next page").click()
    expect(pager.get_by_test_id("page")).to_have_text("Page 2")
    expect(page).to_have_url(re.compile(r"/htmx\?page=2$"))  # HX-Push-Url
    expect(page.locator("#moved")).to_have_text("moved to 2")  # HX-Trigger-After-Settle


def test_htmx_shows_a_flash_in_the_region_and_dismisses_it(page: Page) -> None:
    region = page.locator("#cf-flash")
    page.get_by_role("button", name="Note").click()
    expect(region).to_contain_text("Noted <b>here</b>.")  # escaped, never markup
    expect(region.locator("b")).to_have_count(0)
    region.get_by_role("button", name="Dismiss").click()
    expect(region.locator(".cf-flash-message")).to_have_count(0)


def test_htmx_redirects_with_the_flash_shown_once_on_the_next_page(page: Page) -> None:
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/htmx/done$"))  # HX-Redirect: a full page load
    expect(page.locator("#cf-flash")).to_contain_text("Saved.")
    page.wait_for_function("!document.cookie.includes('cf_flash=')")  # shown once
    page.reload()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    expect(page.locator("#cf-flash .cf-flash-message")).to_have_count(0)


def test_htmx_navigates_without_a_page_load(page: Page) -> None:
    page.evaluate("window.stayed = true")
    page.get_by_role("button", name="Leave").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()  # HX-Location
    expect(page).to_have_url(re.compile(r"/htmx/done$"))
    assert page.evaluate("window.stayed") is True
