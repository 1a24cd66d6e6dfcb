"""Server-held state end to end: the example app under ``uvicorn --workers 2`` sharing SQLite.

Started the way a user deploys it: ``CF_STATE_STORE=sqlite:///...`` makes every component of
the unchanged example app keep its state in one database file shared by two worker processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def held_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("held") / "state.db"
    store = {"CF_STATE_STORE": f"sqlite:///{database}"}
    with serve_app("examples.app:app", "--workers", "2", env=store, timeout=40) as url:
        yield url


def _open(browser: Browser, url: str) -> Page:
    context = browser.new_context(base_url=url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    return page


def test_pages_hold_references_and_events_work_across_workers(
    browser: Browser, held_url: str, tmp_path: Path
) -> None:
    pages = [_open(browser, held_url) for _ in range(3)]
    keys = set()
    try:
        for page in pages:
            counter = page.locator('[data-cf-component="counter"]').first
            held = json.loads(counter.get_attribute("data-cf-state") or "")
            assert set(held) == {"component", "id", "key", "version"}
            assert held["key"].startswith(f"counter:{held['id']}:")
            keys.add(held["key"])
            count = counter.get_by_test_id("count")
            expect(count).to_have_text("3")
            plus = counter.get_by_role("button", name="+1", exact=True)
            for _ in range(4):
                plus.click()
            expect(count).to_have_text("7")
            expect(counter).not_to_have_attribute("data-cf-loading", "")
            held = json.loads(counter.get_attribute("data-cf-state") or "")
            assert held["version"] == 5 and "count" not in held
        assert len(keys) == 3  # every page render holds a state of its own
        page = pages[0]
        # The streaming component: frames arrive, the last one writes the state.
        progress = page.locator('[data-cf-component="progress"]')
        progress.get_by_role("button", name="Start a 5-step job").click()
        expect(progress.get_by_test_id("progress-status")).to_have_text("Done: 5 steps")
        # The form: errors, then success, all through server-held state.
        form = page.locator('[data-cf-component="signup"]')
        form.get_by_label("Name").fill("A")
        form.get_by_role("button", name="Sign up").click()
        expect(form.locator('.field-error[data-field="name"]')).to_contain_text("at least 2")
        form.get_by_label("Name").fill("Ada")
        form.get_by_label("Email").fill("ada@example.com")
        form.get_by_label("Age").fill("36")
        form.get_by_role("button", name="Sign up").click()
        expect(form.get_by_role("status")).to_have_text("Welcome, Ada!")
        assert "ada@example.com" not in (form.get_attribute("data-cf-state") or "")
    finally:
        for page in pages:
            page.context.close()
