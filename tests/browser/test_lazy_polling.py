"""Lazy and polled components in a real browser: a placeholder first and the component after
the page loaded or when it comes into view; a failed mount shown in its root; polls paused
while the tab is hidden, and off for a live component while its socket is connected."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser

HIDE = """() => {
  Object.defineProperty(document, "hidden", { value: true, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  Object.defineProperty(document, "hidden", { value: false, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.fixture(scope="module")
def loading_url() -> Iterator[str]:
    with serve_app("tests.browser.loading_app:app") as url:
        yield url


@pytest.fixture
def page(browser: Browser, loading_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=loading_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def test_a_lazy_component_shows_its_placeholder_then_itself(page: Page) -> None:
    html = page.request.get("/lazy").text()  # the page's HTML: placeholders, nothing mounted
    assert "Counting slow..." in html and "slow: 42" not in html
    page.goto("/lazy")
    expect(page.get_by_test_id("slow")).to_have_text("slow: 42")
    # A mount that fails: the root says so (the server logged why), the page goes on.
    expect(page.locator('[data-cf-component="broken"] [role=alert]')).to_contain_text(
        "Internal error while handling the event"
    )
    assert "database is down" not in page.content()
    # The one below the fold waits until it is scrolled to.
    expect(page.get_by_test_id("waiting").filter(has_text="below")).to_be_attached()
    page.locator('[data-cf-component="below"]').scroll_into_view_if_needed()
    expect(page.get_by_test_id("below")).to_have_text("below: 42")


def test_polls_pause_while_hidden_and_stop_for_a_connected_live_component(page: Page) -> None:
    polls: list[str] = []

    def sent(request: Request) -> None:
        if request.url.endswith("/cf/event"):
            polls.append(request.post_data_json["component"])

    page.on("request", sent)
    page.goto("/poll")
    live = '[data-cf-component="live_ticker"][data-cf-subscribed]'
    page.wait_for_selector(live, state="attached")
    expect(page.get_by_test_id("polled")).to_have_text("ticks=2")
    page.evaluate(HIDE)
    count = len(polls)
    page.wait_for_timeout(2500)  # two intervals and more: no poll while hidden
    assert len(polls) == count
    page.evaluate(SHOW)  # shown again: a poll at once
    expect(page.get_by_test_id("polled")).to_have_text("ticks=3")
    assert "live_ticker" not in polls  # subscribed: pushes keep it current
    expect(page.get_by_test_id("live")).to_have_text("ticks=0")


def test_a_live_component_polls_while_its_socket_is_down(page: Page) -> None:
    page.route_web_socket("**/cf/ws", lambda ws: ws.close())
    page.goto("/poll")
    expect(page.get_by_test_id("live")).to_have_text("ticks=2")
    assert page.locator('[data-cf-component="live_ticker"]').get_attribute("data-cf-offline") == ""
