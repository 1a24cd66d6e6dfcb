"""cf:before-request: the app sees, changes or cancels every request before cf.js sends it.

Fired on the component's root (bubbling, composed, cancelable) with ``detail.transport``
(``http``, ``sse``, ``ws``), ``detail.url``, ``detail.message`` and ``detail.headers`` (null on
the WebSocket); what the listeners leave in ``message`` and ``headers`` is what is sent.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

BUTTON = '<button type="button" cf-click="add" cf-payload=\'{"amount": 1}\'>Add</button>'

RECORD = """() => {
  window.seen = [];
  document.addEventListener("cf:before-request", (event) => {
    const { transport, url, message, headers } = event.detail;
    window.seen.push({ transport, url, message: structuredClone(message),
                       headers: headers && { ...headers }, cancelable: event.cancelable,
                       target: event.composedPath()[0].getAttribute("data-cf-id") });
  });
}"""


def test_the_event_describes_each_http_request(cf_page: ClientPage) -> None:
    cf_page.open(component("c", BUTTON), script='data-cf-headers=\'{"X-CSRFToken": "t0k"}\'')
    cf_page.page.evaluate(RECORD)
    cf_page.page.get_by_role("button").click()
    request = cf_page.next_request()
    [seen] = cf_page.page.evaluate("window.seen")
    assert seen["transport"] == "http"
    assert seen["url"] == "/cf/event"
    assert seen["cancelable"] is True
    assert seen["target"] == "c"
    assert seen["message"] == request.message
    assert seen["message"]["payload"] == {"amount": 1}
    assert seen["headers"] == {
        "X-CSRFToken": "t0k",
        "Content-Type": "application/json",
        "X-CF-Request": "1",
    }


def test_changed_headers_and_payload_are_what_is_sent(cf_page: ClientPage) -> None:
    cf_page.open(component("c", BUTTON))
    cf_page.page.evaluate("""() => document.addEventListener("cf:before-request", (event) => {
        event.detail.headers["X-Trace"] = "abc";
        event.detail.message.payload.amount = 10;
    })""")
    cf_page.page.get_by_role("button").click()
    request = cf_page.next_request()
    assert request.headers["x-trace"] == "abc"
    assert request.message["payload"] == {"amount": 10}


def test_a_replaced_message_is_what_is_sent(cf_page: ClientPage) -> None:
    cf_page.open(component("c", BUTTON))
    cf_page.page.evaluate("""() => document.addEventListener("cf:before-request", (event) => {
        event.detail.message = { ...event.detail.message, event: "add_twice" };
    })""")
    cf_page.page.get_by_role("button").click()
    assert cf_page.next_request().message["event"] == "add_twice"


def test_a_cancelled_request_is_not_sent_and_leaves_no_trace(cf_page: ClientPage) -> None:
    optimistic = {"add|" + '{"amount": 1}': {"count": 1}}
    inner = f'<output cf-text="count">0</output>{BUTTON}'
    cf_page.open(component("c", inner, optimistic=optimistic))
    page = cf_page.page
    page.evaluate("""() => document.addEventListener("cf:before-request", (event) => {
        if (event.detail.message.event === "add") event.preventDefault();
    })""")
    errors = page.evaluate_handle(
        "() => { const errors = []; document.addEventListener('cf:error', (e) => "
        "errors.push(e.detail)); return errors; }"
    )
    page.get_by_role("button").click()
    reply = cf_page.settled(cf_page.send("c", "add", {"amount": 1}))
    assert reply == {
        "type": "error",
        "error": "A cf:before-request listener cancelled the request.",
        "code": "cancelled",
    }
    root = page.locator("[data-cf-id=c]")
    expect(root).not_to_have_attribute("data-cf-loading", "")
    expect(page.get_by_role("button")).not_to_have_attribute("data-cf-loading", "")
    expect(page.locator("output")).to_have_text("0")  # the optimistic patch rolled back
    expect(page.get_by_role("alert")).to_have_count(0)
    assert errors.json_value() == []
    # The component's queue goes on: the next event is the first request the server gets.
    sent = cf_page.send("c", "render")
    request = cf_page.next_request()
    assert request.message["event"] == "render"
    request.render(inner.replace(">0<", ">5<"))
    cf_page.settled(sent)
    expect(page.locator("output")).to_have_text("5")


def test_streams_fire_it_with_their_own_transport(cf_page: ClientPage) -> None:
    cf_page.open(component("s", BUTTON, stream=True))
    cf_page.page.evaluate(RECORD)
    cf_page.page.evaluate("""() => document.addEventListener("cf:before-request", (event) => {
        if (event.detail.message.payload.amount === 1) event.preventDefault();
    })""")
    cf_page.page.get_by_role("button").click()
    sent = cf_page.send("s", "add", {"amount": 2})
    request = cf_page.next_request()
    assert (request.path, request.message["payload"]) == ("/cf/stream", {"amount": 2})
    request.render("<p>done</p>")
    assert cf_page.settled(sent)["type"] == "component_update"
    expect(cf_page.page.locator("[data-cf-id=s] p")).to_have_text("done")
    transports = cf_page.page.evaluate("window.seen.map((s) => [s.transport, s.url])")
    assert transports == [["sse", "/cf/stream"], ["sse", "/cf/stream"]]


def test_websocket_messages_fire_it_without_headers(cf_page: ClientPage) -> None:
    page = cf_page.page
    page.add_init_script("""document.addEventListener("cf:before-request", (event) => {
        (window.seen = window.seen || []).push([event.detail.transport, event.detail.url,
                                                 event.detail.headers]);
        const { message } = event.detail;
        if (message.type === "subscribe") event.preventDefault();
        else message.payload.from = "listener";
    })""")
    cf_page.open(component("w", BUTTON, live=True, transport="ws"))
    page.get_by_role("button").click()
    message = cf_page.next_socket_message()  # the subscription was cancelled: not sent
    assert (message["type"], message["payload"]) == (
        "component_event",
        {"amount": 1, "from": "listener"},
    )
    assert page.evaluate("window.seen") == [
        ["ws", "ws://cf.test/cf/ws", None],
        ["ws", "ws://cf.test/cf/ws", None],
    ]
    expect(page.locator("[data-cf-id=w]")).not_to_have_attribute("data-cf-subscribed", "")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_components_in_a_shadow_root_reach_document_listeners(cf_page: ClientPage) -> None:
    cf_page.open('<div id="host"></div>')
    cf_page.page.evaluate(RECORD)
    cf_page.page.evaluate(
        """(inner) => {
            const shadow = document.getElementById("host").attachShadow({ mode: "open" });
            shadow.innerHTML = inner;
            cf.scan(shadow);
        }""",
        component("inside", BUTTON),
    )
    cf_page.page.get_by_role("button").click()
    assert cf_page.next_request().message["component_id"] == "inside"
    assert cf_page.page.evaluate("window.seen.map((s) => s.target)") == ["inside"]
