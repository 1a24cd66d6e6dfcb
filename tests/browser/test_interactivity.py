"""The example app's /interactivity page in Chromium, against its real server (issue 22).

Loading states, cf-disable-with and double submits, cf-confirm, cf-dirty and the leave warning,
cf-blur, Escape and click-away, infinite scroll, transitions with optimistic classes, hooks
with browser events, events between components, and cf-model on a plain component. Requests
the test wants to watch in flight are held (``Held``) and let through when it says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, expect

pytestmark = pytest.mark.browser


class Held:
    """Hold every component event the page sends until ``release()`` lets it through."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.routes: list[Route] = []
        page.route("**/cf/event", self._hold)

    def _hold(self, route: Route) -> None:
        self.routes.append(route)

    def wait(self, count: int = 1) -> None:
        """Wait until *count* events are held."""
        for _ in range(300):  # Playwright delivers routes while the test waits on it
            if len(self.routes) >= count:
                return
            self.page.wait_for_timeout(20)
        raise AssertionError(f"{len(self.routes)} events held, expected {count}")

    def release(self) -> None:
        """Let the held events through (to the real server), and the next ones too."""
        for route in self.routes:
            route.continue_()
        self.routes.clear()
        self.page.unroute("**/cf/event")


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """The /interactivity page, cf.js ready; a JavaScript error on it fails the test."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/interactivity")
    page.wait_for_selector("[data-cf-component][data-cf-ready]", state="attached")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def demo(page: Page, name: str) -> Any:
    return page.locator(f'[data-cf-component="{name}"]')


# ---------- Loading states, cf-disable-with, cf-confirm, cf-dirty, cf-blur ----------


def test_saving_shows_progress_and_sends_one_event_for_a_double_click(page: Page) -> None:
    note = demo(page, "note_editor")
    note.get_by_label("Title").fill("Groceries")
    held = Held(page)
    note.get_by_role("button", name="Save").dblclick()
    held.wait()
    expect(note.get_by_role("button", name="Saving...")).to_be_disabled()
    expect(note.get_by_role("status")).to_have_text("Saving your note…")
    expect(note.get_by_role("status")).to_be_visible()
    # Leaving the title sent check_title (cf-blur) first; one save waits behind it, not two.
    expect(note).to_have_attribute("data-cf-in-flight", "check_title")
    expect(note).to_have_attribute("data-cf-queued", "1")
    held.release()
    expect(note).not_to_have_attribute("data-cf-loading", "")  # every request answered
    expect(note.get_by_text("Saved 1 time.")).to_be_visible()
    expect(note.get_by_role("button", name="Save")).to_be_enabled()
    expect(note.get_by_role("status")).to_be_hidden()


def test_unsaved_changes_are_marked_until_saved(page: Page) -> None:
    note = demo(page, "note_editor")
    form, unsaved = note.locator("form"), note.get_by_text("You have unsaved changes.")
    expect(unsaved).to_be_hidden()
    note.get_by_label("Note").fill("Milk, bread, eggs")
    expect(form).to_have_class("unsaved")
    expect(unsaved).to_be_visible()
    expect(note.get_by_label("Note")).to_have_attribute("data-cf-dirty", "")
    note.get_by_role("button", name="Save").click()
    expect(note.get_by_text("Saved 1 time.")).to_be_visible()
    expect(unsaved).to_be_hidden()
    expect(note.get_by_label("Note")).to_have_value("Milk, bread, eggs")


def test_leaving_with_unsaved_changes_asks_first(page: Page) -> None:
    seen: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        seen.append(dialog.type)
        dialog.dismiss()

    with page.expect_event("dialog"):
        page.on("dialog", dismiss)
        demo(page, "note_editor").get_by_label("Title").fill("Changed")
        page.close(run_before_unload=True)
    assert seen == ["beforeunload"]
    # Dismissed: the page stays, with what was typed (this waits for the dialog to be gone).
    expect(demo(page, "note_editor").get_by_label("Title")).to_have_value("Changed")


def test_delete_asks_first(page: Page) -> None:
    note = demo(page, "note_editor")
    answers = iter([False, True])
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        (dialog.accept if next(answers) else dialog.dismiss)()

    page.on("dialog", answer)
    note.get_by_role("button", name="Delete").click()
    expect(note.get_by_label("Title")).to_be_visible()  # declined: nothing sent
    note.get_by_role("button", name="Delete").click()
    expect(note.get_by_text("Note deleted.")).to_be_visible()
    assert questions == ["Delete this note?", "Delete this note?"]


def test_leaving_an_empty_title_shows_the_servers_check(page: Page) -> None:
    note = demo(page, "note_editor")
    note.get_by_label("Title").fill("")
    note.get_by_label("Note").focus()
    expect(note.get_by_text("A note needs a title.")).to_be_visible()
    note.get_by_label("Title").fill("Back")
    note.get_by_label("Note").focus()
    expect(note.get_by_text("A note needs a title.")).to_be_hidden()


# ---------- Escape and click-away ----------


def test_escape_and_a_click_outside_close_the_dialog(page: Page) -> None:
    box = demo(page, "rename_dialog")
    dialog = box.get_by_role("dialog")
    box.get_by_role("button", name="Rename…").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    box.get_by_role("button", name="Rename…").click()
    expect(dialog).to_be_visible()
    dialog.get_by_label("New name").click()  # inside: stays open
    page.get_by_role("heading", name="Infinite scroll (cf-visible)").click()
    expect(dialog).to_be_hidden()
    box.get_by_role("button", name="Rename…").click()
    dialog.get_by_label("New name").fill("Plan")
    dialog.get_by_role("button", name="Rename").click()
    expect(box.locator("strong")).to_have_text("Plan")


# ---------- cf-visible ----------


def test_the_feed_loads_more_as_its_end_scrolls_into_view(page: Page) -> None:
    feed = demo(page, "feed")
    expect(feed.get_by_text("10 of 50 posts.")).to_be_visible()
    feed.get_by_text("Post 10", exact=True).scroll_into_view_if_needed()
    expect(feed.get_by_text("20 of 50 posts.")).to_be_visible()
    for shown in (30, 40, 50):
        feed.locator("li").last.scroll_into_view_if_needed()
        expect(feed.get_by_text(f"{shown} of 50 posts.")).to_be_visible()
    expect(feed.locator("li")).to_have_count(50)
    expect(feed.locator("[cf-visible]")).to_have_count(0)  # the last page asks for no more


# ---------- Transitions and optimistic classes ----------


def test_tasks_tick_and_go_at_once_then_as_the_server_says(page: Page) -> None:
    tasks = demo(page, "tasks")
    tasks.get_by_label("New task").fill("Post the letter")
    tasks.get_by_label("New task").press("Enter")
    letter = tasks.locator("li", has_text="Post the letter")
    expect(letter).to_be_visible()
    expect(letter).not_to_have_class("fade-enter-active")  # the transition ended
    held = Held(page)
    letter.get_by_role("button", name="Tick").click()
    held.wait()
    expect(letter).to_have_class("done")  # at once, before the server answers
    held.release()
    expect(tasks.locator("[data-cf-loading]")).to_have_count(0)
    expect(letter).to_have_class("done")
    plants = tasks.locator("li", has_text="Water the plants")
    held = Held(page)
    plants.get_by_role("button", name="Remove").click()
    held.wait()
    expect(plants).to_be_hidden()
    held.release()
    expect(plants).to_have_count(0)
    expect(tasks.locator("li")).to_have_count(1)


# ---------- A hook fed by browser events ----------


def bar_labels(chart: Any) -> list[str]:
    labels: list[str] = chart.locator(".bars button").evaluate_all(
        "(bars) => bars.map((bar) => bar.getAttribute('aria-label'))"
    )
    return labels


def test_a_hook_draws_sends_events_and_hears_the_servers_browser_events(page: Page) -> None:
    chart = demo(page, "bar_chart")
    expect(chart.locator(".bars button")).to_have_count(6)
    assert bar_labels(chart)[:2] == ["Bar 1: 3", "Bar 2: 5"]
    chart.get_by_role("button", name="Bar 4: 6").click()  # the hook's this.send("pick")
    expect(chart.get_by_text("Bar 4 holds 6.")).to_be_visible()
    page.evaluate(
        """() => { window.heard = []; document.addEventListener("bars:data",
        (event) => window.heard.push(event.detail.values)); }"""
    )
    chart.get_by_role("button", name="New numbers").click()
    expect(chart.get_by_text("Click a bar.")).to_be_visible()
    page.wait_for_function("window.heard.length === 1")
    values = page.evaluate("window.heard[0]")
    state = json.loads(chart.get_attribute("data-cf-state") or "{}")
    assert values == state["values"]
    expect(chart.locator(".bars button")).to_have_count(6)
    assert bar_labels(chart) == [f"Bar {n + 1}: {v}" for n, v in enumerate(values)]
    # cf-ignore: the morph left the hook's element as the hook made it.
    assert chart.locator(".bars").get_attribute("data-values") == "[3, 5, 2, 6, 4, 1]"


def test_a_hooks_event_is_checked_like_any_other(page: Page) -> None:
    chart = demo(page, "bar_chart")
    expect(chart.locator(".bars button")).to_have_count(6)
    page.evaluate("() => cf.send(document.querySelector('.bars'), 'pick', {index: 99})")
    expect(chart.get_by_role("alert")).to_contain_text("Invalid payload for pick: index")
    chart.get_by_role("button", name="Bar 2: 5").click()  # the next event goes through
    expect(chart.get_by_text("Bar 2 holds 5.")).to_be_visible()


# ---------- Events between components ----------


def test_adding_a_product_updates_the_cart_and_the_list(page: Page) -> None:
    cart, products = demo(page, "cart"), demo(page, "product_list")
    sent: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda request: (
            sent.append(json.loads(request.post_data or "{}"))
            if request.url.endswith("/cf/event")
            else None
        ),
    )
    products.get_by_role("button", name="Add Tea").click()
    expect(cart.get_by_role("status")).to_have_text("Cart: 1 items")
    expect(cart.get_by_text("Tea: 1")).to_be_visible()
    expect(products.get_by_text("Last added: Tea.")).to_be_visible()
    # One event of the product, then ONE request for the two components it told (the sibling
    # cart and the parent list): a batch, each message with its own state.
    assert [m.get("type") for m in sent] == ["component_event", "component_batch"]
    assert (sent[0]["component"], sent[0]["event"]) == ("product", "add")
    assert [(m["component"], m["event"]) for m in sent[1]["messages"]] == [
        ("cart", "item_added"),
        ("product_list", "product_added"),
    ]
    products.get_by_role("button", name="Add Coffee").click()
    products.get_by_role("button", name="Add Coffee").click()
    expect(cart.get_by_role("status")).to_have_text("Cart: 3 items")
    expect(cart.get_by_text("Coffee: 2")).to_be_visible()
    expect(products.get_by_text("Last added: Coffee.")).to_be_visible()
    cart.get_by_role("button", name="Empty the cart").click()
    expect(cart.get_by_role("status")).to_have_text("Cart: 0 items")


def test_an_emit_reaches_no_component_outside_the_page(browser: Browser, base_url: str) -> None:
    pages = []
    for _ in range(2):
        context = browser.new_context(base_url=base_url)
        pages.append(context.new_page())
        pages[-1].goto("/interactivity")
        expect(demo(pages[-1], "cart")).to_have_attribute("data-cf-ready", "")
    mine, theirs = pages
    their_cart = demo(theirs, "cart")
    their_id = their_cart.get_attribute("data-cf-id")
    warnings: list[str] = []
    mine.on("console", lambda msg: warnings.append(msg.text) if msg.type == "warning" else None)
    # An emit naming their cart's id finds nothing on this page: nothing is sent.
    mine.evaluate(
        """(id) => cf.effects.emit(document.querySelector('[data-cf-component="product"]'),
        {type: "emit", event: "item_added", payload: {product: "Tea"}, component_id: id},
        {depth: 0})""",
        their_id,
    )
    assert any("item_added was emitted to no component on this page" in w for w in warnings)
    # Sending to their id with this page's own signed cart state is refused by the server.
    reply = mine.evaluate(
        """(id) => { const root = document.querySelector('[data-cf-component="cart"]');
        const message = cf.message(root, "item_added", {product: "Tea"});
        message.component_id = id;
        return fetch("/cf/event", {method: "POST", body: JSON.stringify(message),
          headers: {"Content-Type": "application/json", "X-CF-Request": "1"}})
          .then((response) => response.json()); }""",
        their_id,
    )
    assert reply["code"] == "tampered_state"
    theirs.reload()
    expect(demo(theirs, "cart").get_by_role("status")).to_have_text("Cart: 0 items")
    for page in pages:
        page.context.close()


def test_an_emitted_payload_is_checked_by_its_target(page: Page) -> None:
    cart = demo(page, "cart")
    page.evaluate(
        """() => cf.effects.emit(document.querySelector('[data-cf-component="product"]'),
        {type: "emit", event: "item_added", payload: {product: "Gold"}, to: "cart"}, {depth: 0})"""
    )
    expect(cart.get_by_role("alert")).to_contain_text("Invalid payload for item_added: product")
    expect(cart.get_by_role("status")).to_have_text("Cart: 0 items")


# ---------- Two-way binding on any component ----------


def test_cf_model_sets_the_declared_keys_of_a_plain_component(page: Page) -> None:
    search = demo(page, "city_search")
    cities = search.locator(".cities li")
    expect(cities).to_have_count(5)
    search.get_by_label("City").fill("lo")
    expect(cities).to_have_text(["London", "Oslo"])
    search.get_by_label("City").fill("a")
    expect(cities).to_have_count(5)
    search.get_by_label("Show").select_option("10")
    expect(cities).to_have_count(8)  # of the 16 cities, 8 hold an "a"
    state = json.loads(search.get_attribute("data-cf-state") or "{}")
    assert state == {"query": "a", "limit": 10}  # "10" from the select, an int in the state
    search.get_by_label("City").fill("zz")
    expect(cities).to_have_text(["No city matches."])


def test_cf_model_refuses_what_the_component_does_not_declare(page: Page) -> None:
    search = demo(page, "city_search")
    page.evaluate(
        """() => cf.send(document.querySelector('[data-cf-component="city_search"]'),
        "field_change", {field: "limit", value: 1000})"""
    )
    expect(search.get_by_role("alert")).to_contain_text("limit: Input should be less than")
    page.evaluate(
        """() => cf.send(document.querySelector('[data-cf-component="city_search"]'),
        "field_change", {field: "template_name", value: "x"})"""
    )
    expect(search.get_by_role("alert")).to_contain_text("'template_name' is not bindable")
