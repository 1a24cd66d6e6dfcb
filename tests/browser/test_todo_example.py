"""The tutorial's finished app (examples/todo) in Chromium: one page, then two pages live.

The app runs as docs/tutorial.md deploys it: uvicorn, DEBUG=0 and a CF_SECRET_KEY.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from .conftest import ROOT, TIMEOUT_MS, _free_port, _wait_for

TODO = ROOT / "examples" / "todo"


@pytest.fixture
def todo_url() -> Iterator[str]:
    """A fresh examples/todo server (an empty list) on a free loopback port."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "CF_SECRET_KEY": "todo-browser-tests-secret-key-0123456789",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "uvicorn", "todo.app:app", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"], cwd=TODO, env=env
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _open(browser: Browser, url: str) -> Page:
    context = browser.new_context(base_url=url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    return page


def _add(page: Page, text: str) -> None:
    page.get_by_label("New item").fill(text)
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".items li", has_text=text)).to_be_visible()


def _row(page: Page, text: str) -> Locator:
    return page.locator(".items li", has_text=text)


def test_add_toggle_filter_delete_in_one_page(browser: Browser, todo_url: str) -> None:
    page = _open(browser, todo_url)
    items = page.get_by_test_id("items")
    expect(items).to_contain_text("Nothing to do yet")

    _add(page, "milk")
    _add(page, "bread")
    expect(page.get_by_label("New item")).to_have_value("")  # cf-reset after the add
    expect(page.locator(".count")).to_have_text("2 open of 2")

    _row(page, "milk").get_by_role("checkbox").check()
    expect(_row(page, "milk")).to_have_class("done")
    expect(_row(page, "milk").get_by_role("checkbox")).to_be_checked()
    expect(page.locator(".count")).to_have_text("1 open of 2")

    page.get_by_role("button", name="open", exact=True).click()
    expect(_row(page, "milk")).to_have_count(0)
    expect(_row(page, "bread")).to_be_visible()
    page.get_by_role("button", name="done", exact=True).click()
    expect(_row(page, "bread")).to_have_count(0)
    expect(_row(page, "milk")).to_be_visible()

    page.get_by_role("button", name="Delete milk").click()
    expect(items).to_contain_text("No done items.")
    page.get_by_role("button", name="all", exact=True).click()
    expect(_row(page, "bread")).to_be_visible()
    expect(page.locator(".count")).to_have_text("1 open of 1")

    page.get_by_role("button", name="Add").click()  # nothing typed
    expect(page.get_by_role("alert")).to_have_text("Write something first.")
    page.context.close()


def test_two_pages_share_the_list_and_keep_their_own_filter(
    browser: Browser, todo_url: str
) -> None:
    a = _open(browser, todo_url)
    b = _open(browser, todo_url)

    _add(a, "milk")
    expect(_row(b, "milk")).to_be_visible()  # pushed to the other page

    b.get_by_role("button", name="open", exact=True).click()  # B's own filter
    _add(a, "eggs")
    expect(_row(b, "eggs")).to_be_visible()

    _row(a, "milk").get_by_role("checkbox").check()  # done: B shows only open items
    expect(_row(b, "milk")).to_have_count(0)
    expect(b.get_by_role("button", name="open", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(_row(a, "milk")).to_be_visible()  # A still shows all

    a.get_by_role("button", name="Delete eggs").click()
    expect(_row(b, "eggs")).to_have_count(0)
    expect(b.get_by_test_id("items")).to_contain_text("No open items.")
    a.context.close()
    b.context.close()


def test_typing_the_next_item_before_the_reply_keeps_it(browser: Browser, todo_url: str) -> None:
    # cf-reset empties the form once the server accepted it, but not what the user typed since.
    page = _open(browser, todo_url)
    held: list[object] = []
    page.route("**/cf/event", lambda route: held.append(route))
    page.get_by_label("New item").fill("milk")
    page.get_by_role("button", name="Add").click()
    page.wait_for_function("document.querySelector('[aria-busy=true]') !== null")
    page.get_by_label("New item").fill("bread")  # typed while the add of milk is on its way
    for route in held:
        route.continue_()  # type: ignore[attr-defined]
    page.unroute("**/cf/event")
    expect(_row(page, "milk")).to_be_visible()
    expect(page.get_by_label("New item")).to_have_value("bread")
    page.get_by_role("button", name="Add").click()
    expect(_row(page, "bread")).to_be_visible()
    expect(page.get_by_label("New item")).to_have_value("")
