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

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS

from .harness import ClientPage, component

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


def test_an_emitted_event_goes_to_every_component_of_that_name(cf_page: ClientPage) -> None:
    cf_page.open(component("products", "<p>List</p>") + cart("cart-1", 0) + cart("cart-2", 5))
    emit = {"type": "emit", "event": "item_added", "payload": {"id": 7}, "to": "cart"}
    cf_page.morph("products", "<p>List</p>", effects=[emit])
    first, second = cf_page.next_request(), cf_page.next_request()
    targets = sorted([first, second], key=lambda r: r.message["component_id"])
    assert [(r.message["component_id"], r.message["event"]) for r in targets] == [
        ("cart-1", "item_added"),
        ("cart-2", "item_added"),
    ]
    assert [r.message["payload"] for r in targets] == [{"id": 7}, {"id": 7}]
    # Each sends its own state and checksum: the server checks them like any event.
    assert [json.loads(r.message["state"]) for r in targets] == [{"count": 0}, {"count": 5}]
    for request in targets:
        request.render("<p>1 item</p>")
    expect(cf_page.page.get_by_text("1 item")).to_have_count(2)


def test_emit_to_an_id_and_to_the_parent(cf_page: ClientPage) -> None:
    child = component("row", "<p>Row</p>", id="row-1")
    cf_page.open(component("table", "<p>Table</p>" + child, id="t") + cart("cart-1", 0))
    to_id = {"type": "emit", "event": "refresh", "component_id": "cart-1"}
    to_parent = {"type": "emit", "event": "row_changed", "payload": {"row": 1}, "parent": True}
    cf_page.morph("row-1", "<p>Row 2</p>", effects=[to_id, to_parent])
    requests = sorted(
        [cf_page.next_request(), cf_page.next_request()], key=lambda r: r.message["event"]
    )
    assert [
        (r.message["component_id"], r.message["event"], r.message["payload"]) for r in requests
    ] == [
        ("cart-1", "refresh", {}),
        ("t", "row_changed", {"row": 1}),
    ]


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
