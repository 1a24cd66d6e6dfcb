"""Back and forward with a real server: a component with URL state comes back from the
history entry with no request (the rows it showed then), unless it asks to be rendered again
from the URL (``restore_from_history = False``: the rows as they are now)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def history_url() -> Iterator[str]:
    with serve_app("history_app:app", "--app-dir", "tests/browser") as url:
        yield url


@pytest.fixture
def page(browser: Browser, history_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=history_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _open(page: Page, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")


def test_back_renders_a_fresh_list_from_the_url_when_it_asks(page: Page) -> None:
    _open(page, "/")
    kept, fresh = page.locator("#kept"), page.locator("#fresh")
    expect(fresh.get_by_test_id("rows")).to_have_text("Oak, Ash")
    fresh.get_by_role("button", name="Next").click()
    expect(fresh.get_by_test_id("page")).to_have_text("Page 2")
    assert page.url.endswith("/?fresh=2")
    kept.get_by_role("button", name="Next").click()
    expect(kept.get_by_test_id("page")).to_have_text("Page 2")
    assert page.url.endswith("/?fresh=2&kept=2")
    page.request.post("/rows", data="Elm")  # someone adds a row meanwhile

    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/cf/" in request.url else None)
    page.go_back()  # kept: page 2 -> 1, from the entry's snapshot: its rows as they were
    expect(kept.get_by_test_id("page")).to_have_text("Page 1")
    expect(kept.get_by_test_id("rows")).to_have_text("Oak, Ash")
    # fresh asked the server: the same page, with the rows as they are now
    expect(fresh.get_by_test_id("rows")).to_have_text("Oak, Ash, Elm")
    expect(fresh.get_by_test_id("page")).to_have_text("Page 2")
    assert len(sent) == 1  # one request, for fresh only
    page.go_back()
    expect(fresh.get_by_test_id("page")).to_have_text("Page 1")
    expect(fresh.get_by_test_id("rows")).to_have_text("Oak, Ash, Elm")
    expect(kept.get_by_test_id("page")).to_have_text("Page 1")


def test_a_flash_shows_once_not_again_on_back_and_forward(page: Page) -> None:
    _open(page, "/edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading")).to_have_text("List")
    region = page.get_by_role("status")
    expect(region).to_contain_text("Saved.")
    region.get_by_role("button", name="Dismiss").click()
    expect(region).not_to_contain_text("Saved.")
    page.go_back()
    expect(page.get_by_role("heading")).to_have_text("Edit")
    page.go_forward()  # the list again, as the browser kept it (its HTTP cache or bfcache)
    expect(page.get_by_role("heading")).to_have_text("List")
    page.wait_for_selector("script[src*='cf.js']", state="attached")
    page.wait_for_function("document.readyState === 'complete'")
    expect(page.locator("[data-cf-flash] [data-level]")).to_have_count(0)
    # Not dismissed this time: back and forward still do not show it again.
    page.goto("/edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    page.go_back()
    expect(page.get_by_role("heading")).to_have_text("Edit")
    page.go_forward()
    expect(page.get_by_role("heading")).to_have_text("List")
    page.wait_for_function("document.readyState === 'complete'")
    expect(page.locator("[data-cf-flash] [data-level]")).to_have_count(0)
