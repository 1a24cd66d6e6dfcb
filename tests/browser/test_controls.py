"""Form controls show what the server rendered; live components show when they are offline.

Issue 12: checkboxes, radios, selects, textareas and input values follow the server's render
(replies, refusals, pushes from another page) except a change the server has not seen yet,
such as the text the user is typing; a missing or failing WebSocket marks live components
offline instead of leaving them silently stale. Also the <script> tag's data-cf-headers and
data-cf-base. Issue 24's chat: text sent as it is typed (cf-input) stays through the replies and
pushes that render the field empty, and a send empties it. The app is
tests/browser/controls_app.py, its state shared by every page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, WebSocketRoute, expect

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser


def serve(*options: str) -> AbstractContextManager[str]:
    """controls_app under uvicorn on a free port, with extra uvicorn *options*."""
    return serve_app("controls_app:app", "--app-dir", "tests/browser", *options)


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture
def open_page(browser: Browser, app_url: str) -> Iterator[Any]:
    """Open pages on the app (each in its own context), with its shared state reset first."""
    httpx.post(f"{app_url}/reset").raise_for_status()
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_(path: str = "/", live: bool = True) -> Page:
        context = browser.new_context(base_url=app_url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path)
        if live:
            expect(checklist(page)).to_have_attribute("data-cf-subscribed", "")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def checklist(page: Page) -> Any:
    return page.locator('[data-cf-component="checklist"]')


def box(page: Page, index: int) -> Any:
    return page.locator(f"#item-{index}").get_by_role("checkbox")


def test_checked_box_shows_the_row_the_server_rendered_done(open_page: Any) -> None:
    page = open_page()
    box(page, 0).check()
    expect(page.locator("#item-0")).to_have_class("done")
    expect(box(page, 0)).to_be_checked()
    box(page, 0).uncheck()
    expect(page.locator("#item-0")).to_have_class("open")
    expect(box(page, 0)).not_to_be_checked()


def test_refused_toggle_unchecks_the_box_again(open_page: Any) -> None:
    page = open_page()
    updates = page.evaluate_handle(
        """() => { const seen = {n: 0};
            document.addEventListener("cf:update", () => seen.n++); return seen; }"""
    )
    # Ticked by the user, refused by the server. (click, not check: check() would verify the
    # box is ticked after the click, racing the refusal that unticks it.)
    box(page, 1).click()
    page.wait_for_function("seen => seen.n >= 1", arg=updates)
    expect(box(page, 1)).not_to_be_checked()
    expect(page.locator("#item-1")).to_have_class("open")


def test_push_from_another_page_unchecks_the_box(open_page: Any) -> None:
    a, b = open_page(), open_page()
    box(a, 0).check()  # the box keeps focus on page A
    expect(box(b, 0)).to_be_checked()  # pushed to B
    expect(box(a, 0)).to_be_focused()
    box(b, 0).uncheck()
    expect(a.locator("#item-0")).to_have_class("open")
    expect(box(a, 0)).not_to_be_checked()
    # Selects, radios and textareas follow pushes the same way.
    a.get_by_label("Colour").select_option("green")
    a.get_by_label("large").check()
    expect(b.get_by_label("Colour")).to_have_value("green")
    expect(b.get_by_label("large")).to_be_checked()
    b.get_by_label("Colour").select_option("blue")
    b.get_by_label("small").check()
    b.get_by_label("Comment").fill("from B")
    b.get_by_label("Comment").blur()
    expect(a.get_by_label("Colour")).to_have_value("blue")
    expect(a.get_by_label("small")).to_be_checked()
    expect(a.get_by_label("large")).not_to_be_checked()
    expect(a.get_by_label("Comment")).to_have_value("from B")


def test_focused_text_input_keeps_the_users_typing_through_pushes(open_page: Any) -> None:
    a, b = open_page(), open_page()
    note = a.get_by_label("Note")
    note.click()
    note.press_sequentially("half-typed")
    note.press("ArrowLeft")
    box(b, 0).check()  # a push reaches A while its user types
    expect(box(a, 0)).to_be_checked()
    b.get_by_label("Note").fill("B's note")
    b.get_by_label("Note").press("Enter")  # the server renders another note value on A
    expect(a.get_by_test_id("saved-note")).to_have_text("B's note")
    expect(note).to_be_focused()
    expect(note).to_have_value("half-typed")
    assert note.evaluate("el => [el.selectionStart, el.selectionEnd]") == [9, 9]
    # Once sent, the field shows what the server rendered.
    note.press("End")
    note.press_sequentially("!")
    note.press("Enter")
    expect(a.get_by_test_id("saved-note")).to_have_text("half-typed!")
    expect(note).to_have_value("half-typed!")


def test_typing_after_the_request_left_survives_its_reply(open_page: Any) -> None:
    page = open_page()
    held: list[Route] = []
    page.route("**/live/event", lambda route: held.append(route))
    box(page, 0).check()
    page.wait_for_function("() => document.querySelector('#item-0 input[data-cf-loading]')")
    note = page.get_by_label("Note")
    note.click()
    note.press_sequentially("typed meanwhile")
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/live/event")
    expect(page.locator("#item-0")).to_have_class("done")
    expect(box(page, 0)).to_be_checked()
    expect(note).to_have_value("typed meanwhile")
    expect(note).to_be_focused()


def composer(page: Page) -> Any:
    return page.locator('[data-cf-component="composer"]')


def open_composer(open_page: Any) -> Page:
    page: Page = open_page("/compose", live=False)
    expect(composer(page)).to_have_attribute("data-cf-subscribed", "")
    return page


def test_text_typed_while_its_cf_input_handler_works_survives_the_replies(open_page: Any) -> None:
    """Issue 24's chat: the handler of each key keeps no text, so every reply renders the field
    empty; neither the reply to the first key nor the ones after may take the text away."""
    page = open_composer(open_page)
    held: list[Route] = []
    # The first event waits for the test; the ones after it go through.
    page.route("**/live/event", lambda r: r.continue_() if held else held.append(r))
    message = page.get_by_label("Message")
    message.click()
    message.press_sequentially("h")
    expect(message).to_have_attribute("data-cf-loading", "")
    message.press_sequentially("ello")  # typed while the server is still at the first key
    wait_until(page, lambda: len(held) == 1, "the first key's event")
    held[0].continue_()  # the other keys' events follow, one after the other
    expect(page.get_by_test_id("keys")).to_have_text("5 keys seen")
    expect(composer(page)).not_to_have_attribute("data-cf-loading", "")
    expect(message).to_have_value("hello")
    expect(message).to_be_focused()
    assert message.evaluate("el => [el.selectionStart, el.selectionEnd]") == [5, 5]


def test_a_push_keeps_the_text_being_typed_and_a_send_empties_the_field(open_page: Any) -> None:
    a, b = open_composer(open_page), open_composer(open_page)
    typing = a.get_by_label("Message")
    typing.click()
    typing.press_sequentially("see you")
    typing.press("ArrowLeft")
    expect(a.get_by_test_id("keys")).to_have_text("7 keys seen")  # every key's reply is in
    sending = b.get_by_label("Message")
    sending.fill("hello from B")
    sending.press("Enter")
    expect(b.get_by_test_id("messages")).to_have_text("hello from B")
    expect(sending).to_have_value("")  # sent: the server renders the field empty again
    expect(a.get_by_test_id("messages")).to_have_text("hello from B")  # pushed to A
    expect(typing).to_have_value("see you")
    expect(typing).to_be_focused()
    assert typing.evaluate("el => [el.selectionStart, el.selectionEnd]") == [6, 6]
    typing.press("Enter")  # A sends too: its field empties, for both pages the list grows
    expect(a.get_by_test_id("messages").get_by_role("listitem")).to_have_text(
        ["hello from B", "see you"]
    )
    expect(typing).to_have_value("")
    expect(b.get_by_test_id("messages").get_by_role("listitem")).to_have_count(2)


def wait_until(page: Page, ready: Callable[[], bool], what: str) -> None:
    """Wait until *ready()* (Playwright runs the route handlers while the page waits)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not ready():
        assert time.monotonic() < deadline, f"no {what} in {TIMEOUT_MS} ms"
        page.wait_for_timeout(10)


def test_live_component_is_marked_offline_and_resyncs(open_page: Any, app_url: str) -> None:
    allow = {"connect": True, "refused": 0}
    sockets: list[WebSocketRoute] = []

    def handle(ws: WebSocketRoute) -> None:
        if not allow["connect"]:
            allow["refused"] += 1
            ws.close()  # the server is unreachable: the page backs off and retries
            return
        sockets.append(ws)
        ws.connect_to_server()

    page = open_page(live=False)
    page.route_web_socket("**/live/ws", handle)
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.reload()
    root = checklist(page)
    expect(root).to_have_attribute("data-cf-subscribed", "")
    expect(root).not_to_have_attribute("data-cf-offline", "")
    allow["connect"] = False
    sockets[0].close()
    expect(root).to_have_attribute("data-cf-offline", "")
    expect(root).to_have_class("cf-offline")
    # A change made elsewhere while the page is away: it cannot arrive by push.
    other = open_page()
    box(other, 0).check()
    expect(box(other, 0)).to_be_checked()
    for _ in range(400):  # wait for several reconnect attempts, all refused
        if allow["refused"] >= 3:
            break
        page.wait_for_timeout(50)
    assert allow["refused"] >= 3
    offline = [w for w in warnings if "offline" in w]
    assert len(offline) == 1, warnings
    assert "cf.js" in offline[0]
    expect(box(page, 0)).not_to_be_checked()  # stale, and marked so
    expect(root).to_have_class("cf-offline")
    allow["connect"] = True
    expect(root).not_to_have_attribute("data-cf-offline", "")
    expect(root).not_to_have_class("cf-offline")
    expect(box(page, 0)).to_be_checked()  # re-synced on reconnect
    expect(page.locator("#item-0")).to_have_class("done")


def test_server_without_websocket_support_marks_live_components_offline(browser: Browser) -> None:
    """uvicorn without a WebSocket implementation (as after a plain install used to be)."""
    with serve("--ws", "none") as url:
        context = browser.new_context(base_url=url)
        try:
            page = context.new_page()
            warnings: list[str] = []
            page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
            page.goto("/")
            root = checklist(page)
            expect(root).to_have_attribute("data-cf-offline", "")
            expect(root).to_have_class("cf-offline")
            assert [w for w in warnings if "cf.js: live updates are offline" in w]
            # Not live: the ticker is not marked, and events still work over HTTP.
            ticker = page.locator('[data-cf-component="ticker"]')
            expect(ticker).not_to_have_attribute("data-cf-offline", "")
            box(page, 0).check()
            expect(page.locator("#item-0")).to_have_class("done")
        finally:
            context.close()


def test_script_tag_gives_extra_headers_and_the_endpoint_base(open_page: Any) -> None:
    page = open_page("/configured", live=False)
    sent: list[tuple[str, dict[str, str]]] = []
    page.on("request", lambda r: sent.append((r.url, r.headers)) if r.method == "POST" else None)
    root = checklist(page)
    expect(root).not_to_have_attribute("data-cf-endpoint", "/live")
    expect(root).to_have_attribute("data-cf-subscribed", "")  # the socket at the base too
    box(page, 0).check()
    expect(page.locator("#item-0")).to_have_class("done")
    ticker = page.locator('[data-cf-component="ticker"]')
    ticker.get_by_role("button", name="Tick").click()
    expect(ticker.get_by_test_id("ticks")).to_have_text("1")
    paths = [url.split("/", 3)[3] for url, _ in sent]
    assert paths == ["live/event", "live/stream"]
    assert all(headers.get("x-csrftoken") == "token-123" for _, headers in sent)
    assert page.evaluate("cf.config.headers") == {"X-CSRFToken": "token-123"}


def test_headers_that_are_not_a_json_object_are_reported_and_ignored(open_page: Any) -> None:
    page = open_page("/configured?headers=[1,2]", live=False)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.reload()
    expect(checklist(page)).to_have_attribute("data-cf-subscribed", "")
    assert [e for e in errors if "data-cf-headers must be a JSON object" in e], errors
    assert page.evaluate("cf.config.headers") == {}
    box(page, 0).check()
    expect(page.locator("#item-0")).to_have_class("done")


def test_reply_to_an_older_request_does_not_undo_a_newer_change(open_page: Any) -> None:
    page = open_page()
    held: list[Route] = []
    page.route("**/live/event", lambda route: held.append(route))
    box(page, 0).check()  # request 1: done
    box(page, 0).uncheck()  # request 2: not done, queued behind request 1
    page.wait_for_function("() => document.querySelector('#item-0 input[data-cf-loading]')")
    assert len(held) == 1
    held[0].continue_()
    # Reply 1 renders the row done; the box keeps the user's newer change (unchecked).
    expect(page.locator("#item-0")).to_have_class("done")
    for _ in range(200):
        if len(held) == 2:
            break
        page.wait_for_timeout(25)
    assert len(held) == 2
    expect(box(page, 0)).not_to_be_checked()
    held[1].continue_()
    page.unroute("**/live/event")
    expect(page.locator("#item-0")).to_have_class("open")
    expect(box(page, 0)).not_to_be_checked()
    expect(checklist(page)).not_to_have_attribute("data-cf-loading", "")


def test_events_waiting_for_a_socket_that_never_opens_go_over_http(
    browser: Browser, base_url: str
) -> None:
    """The example app's live board sends on the socket; its first connection fails late."""
    context = browser.new_context(base_url=base_url)
    try:
        page = context.new_page()
        page.add_init_script(
            """(() => {
                const Real = window.WebSocket;
                let first = true;
                window.WebSocket = function (url) {
                    if (!first) return new Real(url);
                    first = false;
                    const connecting = { send() {}, close() {} };  // never opens
                    window.failFirstSocket = () => connecting.onclose({});
                    return connecting;
                };
            })();"""
        )
        page.goto("/")
        board = page.locator('[data-cf-component="live_board"]')
        expect(board).to_have_attribute("data-cf-ready", "")
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        board.get_by_placeholder("Say something").fill("waited for the socket")
        board.get_by_role("button", name="Post").click()
        expect(board).to_have_attribute("data-cf-loading", "")  # waiting in the outbox
        assert posts == []
        page.evaluate("window.failFirstSocket()")
        expect(board.get_by_test_id("messages")).to_contain_text("waited for the socket")
        expect(board.get_by_role("alert")).to_have_count(0)
        assert [url for url in posts if url.endswith("/cf/event")]
        expect(board).to_have_attribute("data-cf-subscribed", "")  # the next socket is real
        expect(board).not_to_have_attribute("data-cf-offline", "")
    finally:
        context.close()
