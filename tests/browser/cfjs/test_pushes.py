"""cf.js's answers to server messages that no request asked for: resync and unsubscribed."""

from __future__ import annotations

from playwright.sync_api import expect

from .harness import ClientPage, component


def _subscribed(cf_page: ClientPage, *ids: str) -> None:
    for _ in ids:
        subscribe = cf_page.next_socket_message()
        cf_page.reply_on_socket(
            {
                "type": "subscribed",
                "component_id": subscribe["component_id"],
                "ref": subscribe["ref"],
            }
        )
    for cid in ids:
        expect(cf_page.page.locator(f"[data-cf-id={cid}]")).to_have_attribute(
            "data-cf-subscribed", ""
        )


def test_a_resync_is_answered_at_a_random_moment_within_the_servers_jitter(
    cf_page: ClientPage,
) -> None:
    page = cf_page.page
    page.clock.install()
    cf_page.open(component("board", "<p>0</p>", live=True) + component("probe", "<p>-</p>"))
    _subscribed(cf_page, "board")
    # From here time moves only when the test moves it (a busy machine cannot fire a timer).
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    page.evaluate("Math.random = () => 0.5")
    cf_page.reply_on_socket(
        {"type": "resync", "component_id": "board", "event": "refresh", "jitter": 10_000}
    )
    # A push after it, answered at once: once its request is out, the resync was read.
    cf_page.reply_on_socket({"type": "push_event", "component_id": "probe", "event": "ping"})
    probe = cf_page.next_request()
    assert (probe.message["component_id"], probe.message["event"]) == ("probe", "ping")
    probe.render("<p>-</p>")
    page.clock.run_for(4_900)  # half the jitter (Math.random = 0.5), less 100 ms
    assert cf_page.requests == []
    # A second resync while the first waits (a second wave after an outage) adds nothing: the
    # waiting answer reads the state when it is sent.
    cf_page.reply_on_socket(
        {"type": "resync", "component_id": "board", "event": "refresh", "jitter": 10_000}
    )
    cf_page.reply_on_socket({"type": "push_event", "component_id": "probe", "event": "ping"})
    cf_page.next_request().render("<p>-</p>")
    page.clock.run_for(200)
    resync = cf_page.next_request()
    assert (resync.message["component_id"], resync.message["event"]) == ("board", "refresh")
    resync.render("<p>1</p>")
    page.clock.run_for(20_000)
    cf_page.reply_on_socket({"type": "push_event", "component_id": "probe", "event": "ping"})
    assert cf_page.next_request().message["component_id"] == "probe"  # no second resync


def test_a_resync_without_jitter_is_answered_at_once(cf_page: ClientPage) -> None:
    cf_page.open(component("board", "<p>0</p>", live=True))
    _subscribed(cf_page, "board")
    cf_page.reply_on_socket({"type": "resync", "component_id": "board", "event": None})
    resync = cf_page.next_request()
    assert (resync.message["component_id"], resync.message["event"]) == ("board", None)


def test_a_page_the_server_unsubscribes_shows_why(cf_page: ClientPage) -> None:
    cf_page.open(component("board", "<p>0</p>", live=True))
    _subscribed(cf_page, "board")
    cf_page.reply_on_socket(
        {
            "type": "unsubscribed",
            "component_id": "board",
            "error": "Permission denied.",
            "code": "permission_denied",
        }
    )
    root = cf_page.page.locator("[data-cf-id=board]")
    expect(root).to_have_attribute("data-cf-error-code", "permission_denied")
    expect(root).not_to_have_attribute("data-cf-subscribed", "")
    expect(cf_page.page.get_by_role("alert")).to_have_text("Permission denied.")


def test_a_push_the_server_ran_is_applied_when_the_page_holds_its_base_state(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("board", "<p>0</p>", live=True))
    subscribe = cf_page.next_socket_message()
    # The page tells the server the state it holds, as the server signed it.
    assert (subscribe["state"], subscribe["checksum"]) == ("{}", "test-checksum")
    cf_page.reply_on_socket(
        {"type": "subscribed", "component_id": "board", "ref": subscribe["ref"]}
    )
    update = {
        "type": "component_update",
        "component_id": "board",
        "html": "<p>1</p>",
        "state": '{"n":1}',
        "checksum": "c-1",
    }
    cf_page.reply_on_socket(
        {
            "type": "push_event",
            "component_id": "board",
            "event": "refresh",
            "payload": {},
            "base": "test-checksum",
            "update": update,
        }
    )
    board = cf_page.page.locator("[data-cf-id=board]")
    expect(board.locator("p")).to_have_text("1")
    expect(board).to_have_attribute("data-cf-checksum", "c-1")
    # A run from a state the page no longer holds: it sends the event itself, on the socket.
    stale = {**update, "html": "<p>stale</p>", "checksum": "c-x"}
    cf_page.reply_on_socket(
        {
            "type": "push_event",
            "component_id": "board",
            "event": "refresh",
            "payload": {"k": 2},
            "base": "test-checksum",
            "update": stale,
        }
    )
    answer = cf_page.next_socket_message()
    assert answer["type"] == "component_event"
    assert (answer["event"], answer["payload"], answer["checksum"]) == ("refresh", {"k": 2}, "c-1")
    cf_page.reply_on_socket({**update, "html": "<p>2</p>", "checksum": "c-2", "ref": answer["ref"]})
    expect(board.locator("p")).to_have_text("2")
    # A run that failed shows its error.
    cf_page.reply_on_socket(
        {
            "type": "push_event",
            "component_id": "board",
            "event": "refresh",
            "payload": {},
            "error": {"type": "error", "error": "The handler failed.", "code": "handler_error"},
        }
    )
    expect(board).to_have_attribute("data-cf-error-code", "handler_error")
