"""A page that loads only cf.js (``{{ cf_scripts() }}``) and uses live navigation gets
cf-navigate.js from the server on first use: a real uvicorn, a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def autoload_app() -> Iterator[str]:
    with serve_app("tests.browser.autoload_app:app") as url:
        yield url


def _open(browser: Browser, url: str, scripts: list[str]) -> Page:
    page = browser.new_context().new_page()
    page.on("request", lambda r: scripts.append(r.url) if "/cf/cf-" in r.url else None)
    page.goto(url)
    expect(page.locator("[data-cf-component][data-cf-ready]")).to_have_count(1)
    return page


def test_cf_navigate_links_navigate_live_with_only_cf_js_on_the_page(
    browser: Browser, autoload_app: str
) -> None:
    scripts: list[str] = []
    page = _open(browser, autoload_app, scripts)
    page.evaluate("cf.prefetch('/two')")  # resolves once cf-navigate.js has registered
    assert [url.split("?")[0] for url in scripts] == [f"{autoload_app}/cf/cf-navigate.js"]
    assert "?v=" in scripts[0]  # cf.js's own version: cached like it
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Two").click()
    expect(page.locator("h1")).to_have_text("Two")
    assert page.evaluate("window.sameDocument === true")
    assert page.url == f"{autoload_app}/two"


def test_the_navigate_effect_works_with_only_cf_js_on_the_page(
    browser: Browser, autoload_app: str
) -> None:
    scripts: list[str] = []
    page = _open(browser, autoload_app, scripts)
    page.evaluate("window.sameDocument = true")
    page.get_by_role("button", name="Go to two").click()
    expect(page.locator("h1")).to_have_text("Two")
    assert page.url == f"{autoload_app}/two"
    assert page.evaluate("window.sameDocument === true")
    assert len(scripts) == 1
