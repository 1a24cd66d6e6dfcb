"""Streams in a real browser: the first render's items, changes applied by effects, morphs
that keep the items, the limit, a reset, pushes to every page, server-held state; and
background tasks, whose result reaches the page that started them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def streams_url() -> Iterator[str]:
    with serve_app("tests.browser.streams_app:app") as url:
        yield url


def _open(browser: Browser, url: str, path: str = "/") -> Page:
    page = browser.new_context(base_url=url).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: pytest.fail(f"JavaScript error: {exc}"))
    page.goto(path)
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    return page


def _texts(page: Page) -> list[str]:
    return page.locator("[data-testid=items] > li > span").all_inner_texts()


@pytest.mark.parametrize("path", ["/", "/held"])
def test_changes_apply_and_a_morph_keeps_the_items(
    browser: Browser, streams_url: str, path: str
) -> None:
    page = _open(browser, streams_url, path)
    page.wait_for_selector("[data-cf-component][data-cf-subscribed]", state="attached")
    items = page.get_by_test_id("items").locator("> li")
    expect(items).to_have_count(3)
    page.get_by_test_id("text").fill("four")
    page.get_by_test_id("add").click()
    expect(items.nth(3)).to_contain_text("four")
    page.get_by_test_id("bump").click()  # a render of the component: the items stay
    expect(page.get_by_test_id("renders")).to_have_text("renders=1")
    assert _texts(page) == ["item 1", "item 2", "item 3", "four"]
    state = page.locator("[data-cf-component]").get_attribute("data-cf-state") or ""
    assert "item 2" not in state and "four" not in state
    page.get_by_test_id("edit").click()
    expect(items.first).to_contain_text("one, edited")
    page.get_by_test_id("prepend").click()
    expect(items.first).to_contain_text("on top")
    items.filter(has_text="item 2").get_by_role("button").click()  # a binding inside an item
    expect(items).to_have_count(4)
    page.get_by_test_id("text").fill("five")
    page.get_by_test_id("add").click()
    page.get_by_test_id("text").fill("six")
    page.get_by_test_id("add").click()  # six items: the limit of five drops the first
    expect(items.last).to_contain_text("six")
    assert _texts(page) == ["one, edited", "item 3", "four", "five", "six"]
    # An id the page does not hold: ignored, and the console says so.
    with page.expect_console_message(lambda m: "has no item items-gone" in m.text):
        page.get_by_test_id("ghost").click()
    assert _texts(page) == ["one, edited", "item 3", "four", "five", "six"]
    page.get_by_test_id("search").click()
    expect(items).to_have_count(1)
    assert _texts(page) == ["the one result"]
    page.context.close()


def test_a_pushed_item_reaches_every_page(browser: Browser, streams_url: str) -> None:
    first, second = _open(browser, streams_url), _open(browser, streams_url)
    for page in (first, second):
        page.wait_for_selector("[data-cf-component][data-cf-subscribed]", state="attached")
    first.get_by_test_id("announce").click()
    for page in (first, second):
        expect(page.get_by_test_id("items").locator("> li").last).to_contain_text("for everyone")
        expect(page.get_by_test_id("items").locator("> li")).to_have_count(4)
    first.context.close()
    second.context.close()


def test_infinite_scroll_both_ways_with_cf_visible(browser: Browser, streams_url: str) -> None:
    page = _open(browser, streams_url, "/history")
    posts = page.get_by_test_id("posts").locator("> li")
    expect(posts).to_have_count(10)
    page.get_by_test_id("older").scroll_into_view_if_needed()
    expect(posts).to_have_count(20)
    expect(posts.first).to_have_text("post 31")
    page.get_by_test_id("newer").scroll_into_view_if_needed()
    expect(posts.last).to_have_text("post 60")
    expect(posts).to_have_count(25)  # the limit dropped the oldest five
    expect(posts.first).to_have_text("post 36")
    page.context.close()


@pytest.mark.parametrize("path", ["/preview", "/preview-ws"])
def test_a_background_tasks_result_reaches_the_page_that_started_it(
    browser: Browser, streams_url: str, path: str
) -> None:
    page, other = _open(browser, streams_url, path), _open(browser, streams_url, path)
    for each in (page, other):
        each.wait_for_selector("[data-cf-component][data-cf-subscribed]", state="attached")
    page.get_by_test_id("share").click()
    expect(page.get_by_test_id("shared")).to_have_text("shared=1")  # the reply came first
    expect(page.get_by_test_id("preview")).to_have_text("A page at https://example.com/a")
    expect(page.get_by_test_id("shared")).to_have_text("shared=1")  # with its own state
    # A failure and a task that never ends: reported to the component, no detail leaked.
    page.get_by_test_id("break").click()
    problem = page.get_by_test_id("problem")
    expect(problem).to_have_text("The preview could not be fetched (failed).")
    page.get_by_test_id("wait").click()
    expect(page.get_by_test_id("problem")).to_have_text(
        "The preview could not be fetched (timeout)."
    )
    assert "internal detail" not in page.content()
    expect(other.get_by_test_id("preview")).to_have_text("no preview")  # not the other page
    expect(other.get_by_test_id("shared")).to_have_text("shared=0")
    page.context.close()
    other.context.close()
