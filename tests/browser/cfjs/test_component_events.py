"""The server's events for the page: ``browser_event`` and ``emit`` effects.

``browser_event`` dispatches a DOM event (the effect's ``name``, its ``detail``) on the
component's root, after the reply's HTML; it bubbles to the document. ``emit`` sends an event to
other components of the page (``to``: every component of a name; ``component_id``: one;
``parent``: the enclosing one): each sends it as its own event, with its own state and checksum,
checked by the server like any event. Emitting without end stops after 8 rounds.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS

from .harness import ClientPage, PendingRequest, component, update

pytestmark = pytest.mark.browser

LISTEN = """() => {
  window.heard = [];
  document.addEventListener("chart:data", (event) => {
    window.heard.push({ detail: event.detail, target: event.target.getAttribute("data-cf-id"),
                        html: event.target.querySelector("p").textContent });
  });
}"""


def browser_event(name: str, detail: object = None) -> dict[str, object]:
    return {"type": "browser_event", "name": name, "detail": detail}


def test_a_browser_event_reaches_the_page_after_the_html(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>Old</p>"))
    cf_page.page.evaluate(LISTEN)
    cf_page.morph("c", "<p>New</p>", effects=[browser_event("chart:data", {"points": [1, 2]})])
    heard = cf_page.page.evaluate("window.heard")
    assert heard == [{"detail": {"points": [1, 2]}, "target": "c", "html": "New"}]


# ---------- emit: events between the page's components ----------


def cart(id: str, count: int) -> str:
    return component("cart", f"<p>{count} items</p>", id=id, state={"count": count})


def batch_of(request: PendingRequest) -> list[dict[str, Any]]:
    """The messages of a ``component_batch`` request (asserting it is one)."""
    assert request.message["type"] == "component_batch", request.message
    messages: list[dict[str, Any]] = request.message["messages"]
    return messages


def answer_batch(request: PendingRequest, *replies: dict[str, Any]) -> None:
    request.answer({"type": "batch_reply", "replies": list(replies)})


def test_an_emitted_event_goes_to_every_component_of_that_name(cf_page: ClientPage) -> None:
    cf_page.open(component("products", "<p>List</p>") + cart("cart-1", 0) + cart("cart-2", 5))
    emit = {"type": "emit", "event": "item_added", "payload": {"id": 7}, "to": "cart"}
    cf_page.morph("products", "<p>List</p>", effects=[emit])
    # One request for both carts: a batch, each message with its own state and checksum.
    request = cf_page.next_request()
    messages = batch_of(request)
    assert [(m["component_id"], m["event"]) for m in messages] == [
        ("cart-1", "item_added"),
        ("cart-2", "item_added"),
    ]
    assert [m["payload"] for m in messages] == [{"id": 7}, {"id": 7}]
    assert [json.loads(m["state"]) for m in messages] == [{"count": 0}, {"count": 5}]
    answer_batch(request, update("cart-1", "<p>1 item</p>"), update("cart-2", "<p>6 items</p>"))
    expect(cf_page.page.get_by_text("1 item")).to_have_count(1)
    expect(cf_page.page.get_by_text("6 items")).to_have_count(1)


def test_emit_to_an_id_and_to_the_parent(cf_page: ClientPage) -> None:
    child = component("row", "<p>Row</p>", id="row-1")
    cf_page.open(component("table", "<p>Table</p>" + child, id="t") + cart("cart-1", 0))
    to_id = {"type": "emit", "event": "refresh", "component_id": "cart-1"}
    to_parent = {"type": "emit", "event": "row_changed", "payload": {"row": 1}, "parent": True}
    cf_page.morph("row-1", "<p>Row 2</p>", effects=[to_id, to_parent])
    # The reply's two emits, to a sibling and to the parent: one request, in the effects' order.
    request = cf_page.next_request()
    assert [(m["component_id"], m["event"], m["payload"]) for m in batch_of(request)] == [
        ("cart-1", "refresh", {}),
        ("t", "row_changed", {"row": 1}),
    ]
    answer_batch(request, update("cart-1", "<p>Refreshed</p>"), update("t", "<p>Table 2</p>"))
    expect(cf_page.page.get_by_text("Refreshed")).to_be_visible()
    expect(cf_page.page.get_by_text("Table 2")).to_be_visible()


def test_a_refused_target_of_a_batch_shows_its_error_and_the_others_update(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("products", "<p>List</p>") + cart("cart-1", 0) + cart("cart-2", 5))
    emit = {"type": "emit", "event": "item_added", "to": "cart"}
    cf_page.morph("products", "<p>List</p>", effects=[emit])
    refused = {"type": "error", "error": "Not yours.", "code": "permission_denied"}
    answer_batch(cf_page.next_request(), refused, update("cart-2", "<p>6 items</p>"))
    expect(cf_page.page.locator("[data-cf-id=cart-1]").get_by_role("alert")).to_contain_text(
        "Not yours."
    )
    expect(cf_page.page.locator("[data-cf-id=cart-2]")).to_contain_text("6 items")
    expect(cf_page.page.locator("[data-cf-id=cart-2]").get_by_role("alert")).to_have_count(0)


def test_a_batch_waits_for_each_targets_earlier_events(cf_page: ClientPage) -> None:
    cf_page.open(component("products", "<p>List</p>") + cart("cart-1", 0) + cart("cart-2", 5))
    busy = cf_page.send("cart-2", "reload")  # in flight when the emit comes
    earlier = cf_page.next_request()
    emit = {"type": "emit", "event": "item_added", "to": "cart"}
    cf_page.morph("products", "<p>List</p>", effects=[emit])
    # cart-1 waits in the batch until cart-2's earlier event is answered: then both go, as one.
    earlier.render("<p>Reloaded</p>")
    cf_page.settled(busy)
    request = cf_page.next_request()
    assert [m["component_id"] for m in batch_of(request)] == ["cart-1", "cart-2"]
    answer_batch(request, update("cart-1", "<p>A</p>"), update("cart-2", "<p>B</p>"))
    expect(cf_page.page.locator("[data-cf-id=cart-2]")).to_contain_text("B")


def test_a_target_cancelled_by_the_app_leaves_the_other_to_go_alone(cf_page: ClientPage) -> None:
    cf_page.open(component("products", "<p>List</p>") + cart("cart-1", 0) + cart("cart-2", 5))
    cf_page.page.evaluate(
        """() => document.querySelector("[data-cf-id=cart-1]").addEventListener("cf:before-request",
        (event) => event.preventDefault())"""
    )
    cf_page.morph("products", "<p>List</p>", effects=[{"type": "emit", "event": "e", "to": "cart"}])
    request = cf_page.next_request()
    assert request.message["type"] == "component_event"
    assert request.message["component_id"] == "cart-2"


def test_a_batch_the_server_refuses_whole_is_sent_one_by_one(cf_page: ClientPage) -> None:
    # A server with a lower limit (or a body limit the batch passes): each message alone.
    cf_page.open(component("products", "<p>List</p>") + cart("cart-1", 0) + cart("cart-2", 5))
    cf_page.morph("products", "<p>List</p>", effects=[{"type": "emit", "event": "e", "to": "cart"}])
    refused = cf_page.next_request()
    assert len(batch_of(refused)) == 2
    refused.answer({"type": "error", "error": "Too many.", "code": "bad_batch"}, status=400)
    first, second = cf_page.next_request(), cf_page.next_request()
    assert [r.message["component_id"] for r in (first, second)] == ["cart-1", "cart-2"]
    first.render("<p>A</p>")
    second.render("<p>B</p>")
    expect(cf_page.page.locator("[data-cf-id=cart-2]")).to_contain_text("B")
    expect(cf_page.page.locator("[data-cf-id=cart-1]")).to_contain_text("A")
    expect(cf_page.page.get_by_role("alert")).to_have_count(0)


def test_a_batch_without_a_usable_reply_shows_the_error_on_each_target(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("products", "<p>List</p>") + cart("cart-1", 0) + cart("cart-2", 5))
    cf_page.morph("products", "<p>List</p>", effects=[{"type": "emit", "event": "e", "to": "cart"}])
    cf_page.next_request().route.fulfill(status=502, body="Bad gateway")
    for cid in ("cart-1", "cart-2"):
        alert = cf_page.page.locator(f"[data-cf-id={cid}]").get_by_role("alert")
        expect(alert).to_contain_text("The server sent an unreadable reply (HTTP 502).")


def test_an_emit_to_more_than_20_components_goes_in_batches_of_20(cf_page: ClientPage) -> None:
    carts = "".join(cart(f"cart-{i}", i) for i in range(21))
    cf_page.open(component("products", "<p>List</p>") + carts)
    cf_page.morph("products", "<p>List</p>", effects=[{"type": "emit", "event": "e", "to": "cart"}])
    first, second = cf_page.next_request(), cf_page.next_request()
    assert len(batch_of(first)) == 20
    assert second.message["type"] == "component_event"  # the one left goes alone
    assert second.message["component_id"] == "cart-20"


def test_an_emit_to_nothing_on_the_page_warns(cf_page: ClientPage) -> None:
    cf_page.open(component("products", "<p>List</p>"))
    emit = {"type": "emit", "event": "item_added", "to": "cart"}
    cf_page.morph("products", "<p>List</p>", effects=[emit])
    warnings = [text for kind, text in cf_page.console if kind == "warning"]
    assert any("item_added was emitted to no component on this page" in w for w in warnings)
    assert cf_page.requests == []


def test_components_emitting_to_each_other_stop_after_eight_rounds(cf_page: ClientPage) -> None:
    cf_page.open(component("ping", "<p>ping</p>") + component("pong", "<p>pong</p>"))

    def stopped() -> bool:
        return any("hit was emitted 8 times in a row" in text for _, text in cf_page.console)

    sent = cf_page.send("ping")
    rounds = 0
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not stopped():  # the next request, or cf.js's error saying it sends no more
        assert time.monotonic() < deadline, f"no request and no error after {rounds} rounds"
        if not cf_page.requests:
            cf_page.page.wait_for_timeout(10)  # Playwright delivers requests meanwhile
            continue
        request = cf_page.requests.pop(0)
        target = "pong" if request.message["component"] == "ping" else "ping"
        request.render("<p>again</p>", effects=[{"type": "emit", "event": "hit", "to": target}])
        rounds += 1
    cf_page.settled(sent)
    assert rounds == 9  # the first event, then 8 emitted ones
    assert cf_page.requests == []
