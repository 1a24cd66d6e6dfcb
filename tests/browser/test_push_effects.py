"""A push_event the server runs for a page brings the handler's effects to that page, with no
event of the page's own: a real uvicorn, a real Chromium."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect

from .conftest import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture
def push_app(tmp_path: Path) -> Iterator[str]:
    env = {"PUSH_APP_DB": str(tmp_path / "items.db")}
    with serve_app("tests.browser.push_app:app", env=env) as url:
        yield url


def _open(browser: Browser, url: str, sent: list[dict[str, Any]]) -> Page:
    page = browser.new_context().new_page()

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", lambda frame: sent.append(json.loads(frame)))

    page.on("websocket", watch)
    page.on("request", lambda r: sent.append({"http": r.url}) if r.method == "POST" else None)
    page.goto(url)
    expect(page.locator("[data-cf-component][data-cf-subscribed]")).to_have_count(1)
    page.evaluate(
        """() => { window.announced = [];
        document.addEventListener("list:announced", (e) => window.announced.push(e.detail)); }"""
    )
    return page


def _announce(base: str, text: str) -> None:
    with urllib.request.urlopen(f"{base}/announce?text={text}", timeout=10) as reply:
        assert reply.status == 200


def _shows(page: Page, texts: list[str]) -> None:
    flashes = page.get_by_role("status").locator(".cf-flash-text")
    expect(flashes).to_have_text(texts)
    expect(page.get_by_role("status").locator("[data-level=info]")).to_have_count(len(texts))
    page.wait_for_function(f"window.announced.length === {len(texts)}")
    assert page.evaluate("window.announced") == [{"text": t} for t in texts]


def _events_sent(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in sent if m.get("type") == "component_event" or "http" in m]


def test_a_pushed_events_flash_and_browser_event_reach_every_page(
    browser: Browser, push_app: str
) -> None:
    sent: list[list[dict[str, Any]]] = [[], []]
    pages = [_open(browser, f"{push_app}/", sent[n]) for n in range(2)]
    # The second page changes its state over HTTP: the server has not seen it on the socket.
    pages[1].get_by_test_id("only-a").click()
    expect(pages[1].get_by_test_id("filter")).to_have_text("filter=a")
    for s in sent:
        s.clear()
    _announce(push_app, "Fresh+items.")
    for page in pages:
        _shows(page, ["Fresh items."])
    # The server ran it for the first page from the state it holds; the second page sent the
    # event itself, on the socket, and got the same effects in its reply.
    assert _events_sent(sent[0]) == []
    [answer] = _events_sent(sent[1])
    assert (answer["event"], answer["payload"]) == ("announce", {"text": "Fresh items."})
    for s in sent:
        s.clear()
    # Now the server knows both pages' states: it runs the next push for both.
    _announce(push_app, "More+items.")
    for page in pages:
        _shows(page, ["Fresh items.", "More items."])
    assert _events_sent(sent[0]) == _events_sent(sent[1]) == []
    expect(pages[1].get_by_test_id("filter")).to_have_text("filter=a")  # its state kept
