"""Presence in a real browser: two pages see each other join, type and leave."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def presence_url() -> Iterator[str]:
    with serve_app("tests.browser.presence_app:app") as url:
        yield url


def _open(browser: Browser, url: str, user: str) -> Page:
    page = browser.new_context(base_url=url).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: pytest.fail(f"JavaScript error: {exc}"))
    page.goto(f"/?user={user}")
    page.wait_for_selector("[data-cf-component][data-cf-subscribed]", state="attached")
    return page


def test_two_pages_see_each_other_join_type_and_leave(browser: Browser, presence_url: str) -> None:
    ann = _open(browser, presence_url, "ann")
    expect(ann.get_by_test_id("online").locator("li")).to_have_text(["ann"])
    bob = _open(browser, presence_url, "bob")
    expect(bob.get_by_test_id("online").locator("li")).to_have_text(["ann", "bob"])
    expect(ann.get_by_test_id("online").locator("li")).to_have_text(["ann", "bob"])

    bob.get_by_test_id("type").click()
    expect(ann.get_by_test_id("online").locator("li")).to_have_text(["ann", "bob (typing)"])
    bob.get_by_test_id("stop").click()
    expect(ann.get_by_test_id("online").locator("li")).to_have_text(["ann", "bob"])

    bob.context.close()  # bob closes his tab
    expect(ann.get_by_test_id("online").locator("li")).to_have_text(["ann"])
    ann.context.close()
