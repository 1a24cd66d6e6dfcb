"""The example app in a real Chromium: what a person clicking and typing would see."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

pytestmark = pytest.mark.browser


def test_counter_increments(page: Page) -> None:
    counter = page.locator('[data-cf-component="counter"]').first
    count = counter.get_by_test_id("count")
    expect(count).to_have_text("3")
    counter.get_by_role("button", name="+1", exact=True).click()
    expect(count).to_have_text("4")
    counter.get_by_role("button", name="+5").click()
    expect(count).to_have_text("9")
    expect(counter).not_to_have_attribute("data-cf-loading", "")


def test_clicks_are_queued_in_order(page: Page) -> None:
    counter = page.locator('[data-cf-component="counter"]').first
    plus = counter.get_by_role("button", name="+1", exact=True)
    for _ in range(5):
        plus.click()
    expect(counter.get_by_test_id("count")).to_have_text("8")
    expect(counter).not_to_have_attribute("data-cf-loading", "")


def test_form_shows_errors_per_field(page: Page) -> None:
    form = page.locator('[data-cf-component="signup"]')
    form.get_by_label("Name").fill("A")
    form.get_by_label("Email").fill("not-an-email")
    form.get_by_label("Age").fill("7")
    form.get_by_role("button", name="Sign up").click()
    expect(form.locator('.field-error[data-field="name"]')).to_contain_text("at least 2")
    expect(form.locator('.field-error[data-field="email"]')).to_contain_text("email address")
    expect(form.locator('.field-error[data-field="age"]')).to_have_text("Enter 13 or more.")
    # Fixing the fields and submitting again clears the errors and runs on_submit.
    form.get_by_label("Name").fill("Ada")
    form.get_by_label("Email").fill("ada@example.com")
    form.get_by_label("Age").fill("36")
    form.get_by_role("button", name="Sign up").click()
    expect(form.get_by_role("status")).to_have_text("Welcome, Ada!")
    expect(form.locator(".field-error")).to_have_count(0)


def test_streaming_frames_arrive_in_order(page: Page) -> None:
    progress = page.locator('[data-cf-component="progress"]')
    progress.evaluate(
        """root => {
            window.steps = [];
            root.addEventListener(
                "cf:update", e => window.steps.push(JSON.parse(e.detail.state).step));
        }"""
    )
    progress.get_by_role("button", name="Start a 5-step job").click()
    expect(progress.get_by_test_id("progress-status")).to_have_text("Done: 5 steps")
    expect(progress.locator("ol.log li")).to_have_count(5)
    assert page.evaluate("window.steps") == [1, 2, 3, 4, 5, 5]
    expect(progress.locator("ol.log li").first).to_have_text("Step 1 of 5 done")


def test_server_push_reaches_two_open_pages(page: Page, browser: Browser, base_url: str) -> None:
    other_context = browser.new_context(base_url=base_url)
    other = other_context.new_page()
    try:
        other.goto("/")
        for p in (page, other):
            expect(p.locator('[data-cf-component="live_board"]')).to_have_attribute(
                "data-cf-subscribed", ""
            )
        board = page.locator('[data-cf-component="live_board"]')
        posts: list[str] = []
        page.on("request", lambda request: posts.append(request.url))
        board.get_by_placeholder("Say something").fill("hello from page one")
        board.get_by_role("button", name="Post").click()
        for p in (page, other):
            expect(p.get_by_test_id("messages")).to_contain_text("hello from page one")
        assert posts == []  # the board's events travel on its WebSocket (transport = "ws")
        expect(board.get_by_placeholder("Say something")).to_have_value("")
    finally:
        other_context.close()


def test_typed_input_keeps_focus_and_caret_through_rerenders(page: Page) -> None:
    form = page.locator('[data-cf-component="signup"]')
    name = form.get_by_label("Name")
    name.click()
    name.press_sequentially("hello")
    expect(form.get_by_test_id("preview")).to_have_text("hello")
    name.press("ArrowLeft")
    name.press("ArrowLeft")
    name.press_sequentially("XY")
    expect(form.get_by_test_id("preview")).to_have_text("helXYlo")
    expect(name).to_be_focused()
    expect(name).to_have_value("helXYlo")
    assert name.evaluate("el => [el.selectionStart, el.selectionEnd]") == [5, 5]


def test_optimistic_update_then_rollback_on_failure(page: Page) -> None:
    held: list[Route] = []
    page.route("**/cf/event", lambda route: held.append(route))
    counter = page.locator('[data-cf-component="counter"]').first
    count = counter.get_by_test_id("count")
    flaky = counter.get_by_role("button", name="+1 (flaky server)")
    flaky.click()
    # Shown at once, while the request is still held back; root and button show loading.
    expect(count).to_have_text("4")
    expect(counter).to_have_attribute("data-cf-loading", "")
    expect(flaky).to_have_attribute("data-cf-loading", "")
    # The page marks itself before the request leaves; route handlers run while Playwright
    # waits, so wait in short steps for this one to hold the request.
    for _ in range(400):
        if held:
            break
        page.wait_for_timeout(25)
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/cf/event")
    expect(count).to_have_text("3")
    expect(flaky).not_to_have_attribute("data-cf-loading", "")
    alert = counter.get_by_role("alert")
    expect(alert).to_have_text("Error handling flaky_increment")
    assert "database" not in counter.inner_text()
    # The next successful event clears the error.
    counter.get_by_role("button", name="+1", exact=True).click()
    expect(count).to_have_text("4")
    expect(alert).to_have_count(0)


def test_tampered_state_is_refused_with_a_visible_error(page: Page) -> None:
    counter = page.locator('[data-cf-component="counter"]').first
    counter.evaluate(
        """root => root.setAttribute("data-cf-state", JSON.stringify({count: 1000000}))"""
    )
    counter.get_by_role("button", name="-1").click()
    expect(counter.get_by_role("alert")).to_contain_text("checksum does not match")
    expect(counter.get_by_test_id("count")).to_have_text("3")


def test_nested_component_keeps_its_own_state(page: Page) -> None:
    card = page.locator('[data-cf-component="profile_card"]')
    nested = card.locator('[data-cf-component="counter"]')
    nested.get_by_role("button", name="+1", exact=True).click()
    expect(nested.get_by_test_id("count")).to_have_text("101")
    card.get_by_role("button", name="Show details").click()
    expect(card.locator(".details")).to_be_visible()
    card.get_by_role("button", name="Follow").click()
    expect(card.get_by_test_id("followers")).to_have_text("43")
    expect(nested.get_by_test_id("count")).to_have_text("101")


def test_page_renders_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_test_id("count").first).to_have_text("3")
        expect(page.locator('[data-cf-component="signup"] form')).to_be_visible()
    finally:
        context.close()


def test_push_from_app_code_reaches_open_page(page: Page, base_url: str) -> None:
    board = page.locator('[data-cf-component="live_board"]')
    expect(board).to_have_attribute("data-cf-subscribed", "")
    post_over_http(base_url, "posted over plain HTTP")
    expect(board.get_by_test_id("messages")).to_contain_text("posted over plain HTTP")


def test_key_filters_and_change_events(page: Page) -> None:
    todo = page.locator('[data-cf-component="todo"]')
    new_item = todo.get_by_label("New item")
    new_item.fill("write docs")
    new_item.press("a")  # not Enter: nothing is sent
    new_item.press("Shift+Enter")  # Enter with Shift still matches cf-keydown.enter
    items = todo.get_by_test_id("todo-items").locator("li:not(.empty)")
    expect(items).to_have_count(1)
    expect(items.first).to_have_text("write docsa")
    expect(new_item).to_have_value("")  # the input that fired gets the server's (empty) value
    new_item.fill("ship it")
    new_item.press("Enter")
    expect(items).to_have_count(2)
    items.first.get_by_role("checkbox").check()
    expect(items.first.get_by_role("checkbox")).to_be_checked()
    todo.get_by_label("Show").select_option("open")
    expect(items).to_have_count(1)
    expect(items.first).to_have_text("ship it")
    todo.get_by_label("Show").select_option("done")
    expect(items.first).to_have_text("write docsa")
    expect(items.first.get_by_role("checkbox")).to_be_checked()


def test_websocket_reconnects_and_resynchronises(browser: Browser, base_url: str) -> None:
    """Drop the socket, miss a push while away, and catch up on reconnect."""
    context = browser.new_context(base_url=base_url)
    try:
        routes: list[Any] = []
        allow = {"connect": True}

        def handle(ws: Any) -> None:
            if not allow["connect"]:
                ws.close()  # the server is "down": the page backs off and retries
                return
            routes.append((ws, ws.connect_to_server()))

        page = context.new_page()
        page.route_web_socket("**/cf/ws", handle)
        page.goto("/")
        board = page.locator('[data-cf-component="live_board"]')
        messages = board.get_by_test_id("messages")
        expect(board).to_have_attribute("data-cf-subscribed", "")
        allow["connect"] = False
        routes[0][0].close()
        post_over_http(base_url, "sent while the page was away")
        expect(messages).not_to_contain_text("sent while the page was away")
        allow["connect"] = True
        expect(messages).to_contain_text("sent while the page was away")
        assert len(routes) == 2
    finally:
        context.close()


def post_over_http(base_url: str, text: str) -> None:
    message = {
        "component": "live_board",
        "event": "post",
        "payload": {"form_data": {"message": text}},
    }
    response = httpx.post(
        f"{base_url}/cf/event",
        content=json.dumps(message),
        headers={"Content-Type": "application/json", "X-CF-Request": "1"},
    )
    assert response.status_code == 200, response.text


def test_morph_keeps_untouched_nodes_and_scroll_position(page: Page) -> None:
    todo = page.locator('[data-cf-component="todo"]')
    items = todo.get_by_test_id("todo-items")
    page.evaluate(
        """async () => {
            const root = document.querySelector('[data-cf-component="todo"]');
            for (let i = 1; i <= 30; i++) await cf.send(root, "add", {value: "item " + i});
        }"""
    )
    expect(items.locator("li")).to_have_count(30)
    items.evaluate("el => { el.scrollTop = 200; el.dataset.mark = 'kept'; el._mark = 1; }")
    todo.get_by_label("New item").fill("one more")
    todo.get_by_label("New item").press("Enter")
    expect(items.locator("li")).to_have_count(31)
    assert items.evaluate("el => [el._mark, el.scrollTop]") == [1, 200]
    expect(items).not_to_have_attribute("data-mark", "kept")  # attributes follow the server


def test_throttle_drops_repeated_events(page: Page) -> None:
    counter = page.locator('[data-cf-component="counter"]').first
    throttled = counter.get_by_role("button", name="+1 (at most every 2 s)")
    throttled.evaluate("el => { el.click(); el.click(); el.click(); }")  # within one moment
    expect(counter.get_by_test_id("count")).to_have_text("4")
    expect(counter).not_to_have_attribute("data-cf-loading", "")
    counter.get_by_role("button", name="+5").click()  # other elements are not throttled
    expect(counter.get_by_test_id("count")).to_have_text("9")


def test_removed_siblings_do_not_cost_the_user_their_input(page: Page) -> None:
    """A reply that deletes an error message above a field keeps that field as it is."""
    form = page.locator('[data-cf-component="signup"]')
    form.get_by_role("button", name="Sign up").click()
    expect(form.locator('.field-error[data-field="name"]')).to_have_count(1)
    email = form.get_by_label("Email")
    email_node = email.element_handle()
    held: list[Route] = []
    page.route("**/cf/event", lambda route: held.append(route))
    form.get_by_label("Name").fill("Ada")  # field_change, held back below
    page.wait_for_function(
        "() => document.querySelector('[data-cf-component=signup]').hasAttribute('data-cf-loading')"
    )
    email.click()
    email.press_sequentially("ada@exa")
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/cf/event")
    # The reply removes the name error (the name field was changed) ...
    expect(form.locator('.field-error[data-field="name"]')).to_have_count(0)
    expect(form).not_to_have_attribute("data-cf-loading", "")
    # ... and the email field is the same element, still focused, with what was typed.
    assert email.evaluate("(el, node) => el === node", email_node)
    expect(email).to_be_focused()
    expect(email).to_have_value("ada@exa")
    email.press_sequentially("mple.com")
    form.get_by_label("Age").fill("36")
    form.get_by_role("button", name="Sign up").click()
    expect(form.get_by_role("status")).to_have_text("Welcome, Ada!")


def test_ws_transport_without_live_still_uses_the_socket(browser: Browser, base_url: str) -> None:
    """A component on the "ws" transport that is not live sends its events on the socket."""
    context = browser.new_context(base_url=base_url)
    try:
        page = context.new_page()
        # Strip data-cf-live from the page as it is parsed, before cf.js starts.
        page.add_init_script(
            """new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => {
                if (n.nodeType === 1 && n.hasAttribute("data-cf-live")) {
                    n.removeAttribute("data-cf-live");
                }
            }))).observe(document, {childList: true, subtree: true});"""
        )
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto("/")
        board = page.locator('[data-cf-component="live_board"]')
        expect(board).to_have_attribute("data-cf-transport", "ws")
        expect(board).not_to_have_attribute("data-cf-live", "")
        page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
        posts: list[str] = []
        page.on("request", lambda request: posts.append(request.url))
        board.get_by_placeholder("Say something").fill("sent on the socket")
        board.get_by_role("button", name="Post").click()
        expect(board.get_by_test_id("messages")).to_contain_text("sent on the socket")
        assert posts == []
        assert sockets and sockets[0].endswith("/cf/ws")
    finally:
        context.close()


def test_socket_message_over_the_size_limit_shows_an_error(page: Page) -> None:
    """The server cannot read (nor echo the ref of) an oversized message: the page must not hang."""
    board = page.locator('[data-cf-component="live_board"]')
    expect(board).to_have_attribute("data-cf-subscribed", "")
    board.get_by_placeholder("Say something").evaluate(
        "el => { el.value = 'x'.repeat(1100 * 1024); }"
    )
    board.get_by_role("button", name="Post").click()
    expect(board.get_by_role("alert")).to_contain_text("limit")
    expect(board).not_to_have_attribute("data-cf-loading", "")
    board.get_by_placeholder("Say something").fill("short again")
    board.get_by_role("button", name="Post").click()
    expect(board.get_by_test_id("messages")).to_contain_text("short again")
    expect(board.get_by_role("alert")).to_have_count(0)


def test_the_page_fits_a_phone_without_sideways_scrolling(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto("/")
        page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"scrollWidth {widths[0]} > viewport {widths[1]}"
    finally:
        context.close()


def test_each_demo_shows_its_code_a_favicon_and_an_empty_todo_list(page: Page) -> None:
    counter = page.locator("section#counter")
    expect(counter.locator(".code pre").first).to_contain_text('@registry.register("counter")')
    expect(counter.locator(".code pre").first).to_contain_text("def on_increment")
    expect(page.locator("section.example .code")).to_have_count(6)
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("href", re.compile(r"^data:image/svg\+xml,"))
    todo = page.locator('[data-cf-component="todo"]')
    expect(todo.locator("li.empty")).to_have_text(
        "Nothing to do yet: type an item and press Enter."
    )


def test_form_messages_read_as_messages_for_people(page: Page) -> None:
    form = page.locator('[data-cf-component="signup"]')
    form.get_by_label("Email").fill("not-an-email")
    form.get_by_label("Age").fill("old")
    form.get_by_role("button", name="Sign up").click()
    email = form.locator('.field-error[data-field="email"]')
    expect(email).to_have_text("Enter an email address like ada@example.com.")
    age = form.locator('.field-error[data-field="age"]')
    expect(age).to_have_text("Enter a whole number.")
    name = form.locator('.field-error[data-field="name"]')
    expect(name).to_have_text("Use at least 2 characters.")
