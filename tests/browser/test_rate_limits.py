"""Rate limits in Chromium (the refusal shows in the component, over HTTP and the WebSocket),
and a JinjaX-rendered component in the same page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def limits_url() -> Iterator[str]:
    with serve_app("limits_app:app", "--app-dir", "tests/browser") as url:
        yield url


@pytest.fixture
def page(browser: Browser, limits_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=limits_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    yield page
    context.close()


@pytest.mark.parametrize("transport", ["http", "ws"])
def test_the_third_vote_a_minute_shows_the_refusal(page: Page, transport: str) -> None:
    root = page.locator(f'[data-cf-component="vote_{transport}"]')
    button = root.get_by_role("button", name="Vote")
    for votes in ("1", "2"):
        button.click()
        expect(root.get_by_test_id("votes")).to_have_text(votes)
    button.click()
    alert = root.get_by_role("alert")
    expect(alert).to_contain_text("Too many requests: at most 2 'up' events per minute.")
    expect(root).to_have_attribute("data-cf-error-code", "rate_limited")
    expect(root.get_by_test_id("votes")).to_have_text("2")


def test_a_jinjax_component_is_live_in_the_page(page: Page) -> None:
    # A component whose template is a JinjaX component (with a JinjaX <Button> inside).
    tally = page.locator('[data-cf-component="jx_tally"]')
    for count in ("1", "2"):
        tally.get_by_role("button", name="Add").click()
        expect(tally.get_by_test_id("jx-count")).to_have_text(count)
