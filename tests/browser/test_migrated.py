"""An app written against 0.6.0's documented Flask API, after docs/migrating.md's steps
(examples/migrated), in a real Chromium under gunicorn: its counter and its form work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests._gunicorn import serve_gunicorn

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def migrated_url() -> Iterator[str]:
    with serve_gunicorn("examples.migrated.app:app") as url:
        yield url


@pytest.fixture
def page(browser: Browser, migrated_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=migrated_url)
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_the_0_6_0_counter_counts(page: Page) -> None:
    counter = page.locator('[data-cf-component="clicks"]')
    counter.get_by_role("button", name="+1").click()
    expect(counter.get_by_test_id("count")).to_have_text("1")
    counter.get_by_role("button", name="+5").click()
    expect(counter.get_by_test_id("count")).to_have_text("6")


def test_the_0_6_0_form_validates_then_submits(page: Page) -> None:
    form = page.locator('[data-cf-component="contact_form"]')
    form.get_by_label("Name").fill("Ada")
    form.get_by_label("Email").fill("not an address")
    form.get_by_label("Message").fill("Hello")
    form.get_by_role("button", name="Send").click()
    expect(form.locator('.field-error[data-field="email"]')).to_be_visible()
    form.get_by_label("Email").fill("ada@example.org")
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("status")).to_have_text("Sent. We will answer ada@example.org.")
