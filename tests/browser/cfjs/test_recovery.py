"""A page that outlives its state: remount, replay, resend; reload keeping what was typed; a new
cf.js on the server.

When the server refuses a page's state (``stale_state``, ``tampered_state``), cf.js mounts the
component again from its signed mount parameters, sends what the user typed again as change
events and the refused event once more. When the server refuses the mount parameters too (a key
it no longer has), or the root has none, the page reloads once and gives the controls back what
was typed. A page told that the server serves another cf.js reloads the same way when nothing is
in flight and no control is focused.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .harness import MOUNT_CHECKSUM, ClientPage, component, update

pytestmark = pytest.mark.browser

STALE = ("This page was rendered by an earlier version of the application.", "stale_state")
TAMPERED = ("State checksum does not match; the state was refused.", "tampered_state")


def form(title: str = "", note: str = "", *, pin: str = "") -> str:
    """A title kept in state as it is typed (cf-model), a note sent on save, a password."""
    return (
        f'<label>Title <input name="title" value="{title}" cf-model="title"></label>'
        f'<label>Note <input name="note" value="{note}"></label>'
        f'<label>PIN <input name="pin" type="password" value="{pin}"></label>'
        '<button cf-click="save">Save</button>'
    )


def open_form(cf_page: ClientPage, **options: Any) -> ClientPage:
    mount = options.pop("mount", {"list": 7})
    return cf_page.open(component("f", form(), state={"n": 1}, mount=mount), **options)


def recoveries(cf_page: ClientPage) -> None:
    cf_page.page.evaluate(
        "() => { window.recovered = [];"
        " document.addEventListener('cf:recovered', (e) => window.recovered.push(e.detail)); }"
    )


def test_a_refused_state_remounts_replays_what_was_typed_and_sends_the_event_again(
    cf_page: ClientPage,
) -> None:
    open_form(cf_page)
    recoveries(cf_page)
    page = cf_page.page
    page.get_by_label("Title").fill("Groceries")
    cf_page.next_request().render(form("Groceries"), state={"n": 2})  # the server saw the title
    page.get_by_label("Note").fill("milk, eggs")  # never sent
    page.get_by_role("button", name="Save").click()
    save = cf_page.next_request()
    assert save.message["event"] == "save"
    save.refuse(*STALE)  # a deploy: the server cannot use the page's state

    remount = cf_page.next_request()
    assert remount.message == {
        "type": "component_event",
        "component": "f",
        "component_id": "f",
        "event": None,
        "payload": {},
        "state": None,
        "checksum": None,
        "mount": '{"list": 7}',
        "mount_checksum": MOUNT_CHECKSUM,
    }
    remount.render(form(), state={"fresh": True})  # the fresh mount knows nothing typed
    expect(page.get_by_label("Title")).to_have_value("Groceries")
    expect(page.get_by_label("Note")).to_have_value("milk, eggs")

    replayed = cf_page.next_request()  # the title, which the fresh state has not seen
    assert replayed.message["event"] == "field_change"
    assert replayed.message["payload"] == {"field": "title", "value": "Groceries"}
    assert replayed.message["state"] == '{"fresh": true}'
    replayed.render(form("Groceries"), state={"fresh": True, "title": "Groceries"})

    again = cf_page.next_request()  # the refused event, on the new state
    assert again.message["event"] == "save"
    assert again.message["state"] == '{"fresh": true, "title": "Groceries"}'
    again.render(form("Groceries", "milk, eggs"), state={"saved": True})
    expect(page.locator("[data-cf-id=f]")).to_have_attribute("data-cf-state", '{"saved": true}')
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate("window.recovered") == [{"how": "remount", "reason": "stale_state"}]


def test_a_change_refused_from_a_control_is_not_sent_twice(cf_page: ClientPage) -> None:
    open_form(cf_page)
    page = cf_page.page
    page.get_by_label("Title").fill("Gro")
    cf_page.next_request().refuse(*TAMPERED)  # among others: a key the server no longer has
    cf_page.next_request().render(form(), state={"fresh": True})  # the remount
    replayed = cf_page.next_request()
    assert replayed.message["payload"] == {"field": "title", "value": "Gro"}
    replayed.render(form("Gro"), state={"title": "Gro"})
    page.get_by_label("Title").fill("Groceries")  # the next change is the next request
    assert cf_page.next_request().message["payload"] == {"field": "title", "value": "Groceries"}


def test_refused_mount_parameters_reload_the_page_and_give_back_what_was_typed(
    cf_page: ClientPage,
) -> None:
    open_form(cf_page)
    page = cf_page.page
    page.evaluate("() => { window.before = true; }")
    page.get_by_label("Note").fill("milk, eggs")
    page.get_by_label("PIN").fill("1234")
    page.get_by_label("Title").fill("Groceries")
    cf_page.next_request().refuse(*TAMPERED)
    cf_page.next_request().refuse("Mount parameters refused.", "tampered_state")  # a new key

    page.wait_for_function("() => window.cf && window.before === undefined")  # reloaded
    expect(page.get_by_label("Title")).to_have_value("Groceries")
    expect(page.get_by_label("Note")).to_have_value("milk, eggs")
    expect(page.get_by_label("PIN")).to_have_value("")  # a password is never kept
    expect(page.get_by_label("Title")).to_be_focused()  # where the user was
    replayed = cf_page.next_request()  # sent to the fresh page's state
    assert replayed.message["payload"] == {"field": "title", "value": "Groceries"}
    assert replayed.message["state"] == '{"n": 1}'
    assert "mount" not in replayed.message


def test_a_root_without_mount_parameters_reloads_at_once(cf_page: ClientPage) -> None:
    open_form(cf_page, mount=None)
    page = cf_page.page
    page.evaluate("() => { window.before = true; }")
    page.get_by_label("Note").fill("kept")
    page.get_by_role("button", name="Save").click()
    cf_page.next_request().refuse(*STALE)
    page.wait_for_function("() => window.cf && window.before === undefined")
    expect(page.get_by_label("Note")).to_have_value("kept")
    assert cf_page.requests == []  # no binding sends the note: nothing to replay


def test_a_second_reload_within_the_guard_shows_the_error_instead(cf_page: ClientPage) -> None:
    open_form(cf_page, mount=None)
    page = cf_page.page
    page.evaluate("() => { window.before = true; }")
    page.get_by_role("button", name="Save").click()
    cf_page.next_request().refuse(*STALE)
    page.wait_for_function("() => window.cf && window.before === undefined")
    page.evaluate("() => { window.before = true; }")
    page.get_by_role("button", name="Save").click()
    cf_page.next_request().refuse(*STALE)  # the server still cannot: no reload loop
    expect(page.get_by_role("alert")).to_have_text(STALE[0])
    assert page.evaluate("window.before") is True


def test_a_server_that_cannot_be_reached_during_a_remount_shows_the_error(
    cf_page: ClientPage,
) -> None:
    open_form(cf_page)
    page = cf_page.page
    page.evaluate("() => { window.before = true; }")
    page.get_by_role("button", name="Save").click()
    cf_page.next_request().refuse(*STALE)
    cf_page.next_request().route.abort()  # restarting: nothing to reload from
    expect(page.get_by_role("alert")).to_have_text(STALE[0])
    assert page.evaluate("window.before") is True


def test_another_cf_js_on_the_server_reloads_the_page_at_a_safe_moment(
    cf_page: ClientPage,
) -> None:
    open_form(cf_page, version="old")
    page = cf_page.page
    page.evaluate("() => { window.before = true; }")
    title = page.get_by_label("Title")
    title.fill("Groceries")  # focused: the user is typing
    newer = {"X-CF-Version": "new"}
    cf_page.next_request().answer(update("f", form("Groceries")), headers=newer)
    title.fill("Groceries!")
    cf_page.next_request().answer(update("f", form("Groceries!")), headers=newer)
    assert page.evaluate("window.before") is True  # not while a control has the focus
    title.blur()
    page.wait_for_function("() => window.cf && window.before === undefined")
    expect(page.get_by_label("Title")).to_have_value("Groceries!")


def test_the_same_cf_js_on_the_server_changes_nothing(cf_page: ClientPage) -> None:
    open_form(cf_page, version="same")
    page = cf_page.page
    page.evaluate("() => { window.before = true; }")
    for _ in range(2):
        page.get_by_role("button", name="Save").click()
        cf_page.next_request().answer(update("f", form()), headers={"X-CF-Version": "same"})
    assert page.evaluate("window.before") is True


def test_the_socket_handshake_names_this_cf_js_and_another_one_reloads(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("b", form(), live=True, mount={}), version="old")
    page = cf_page.page
    page.evaluate("() => { window.before = true; }")
    handshake = cf_page.next_socket_message()
    assert handshake == {"type": "handshake", "version": "old", "ref": handshake["ref"]}
    subscribe = cf_page.next_socket_message()
    assert subscribe["type"] == "subscribe"
    cf_page.reply_on_socket({"type": "handshake", "version": "new", "ref": handshake["ref"]})
    page.wait_for_function("() => window.cf && window.before === undefined")


def test_a_refused_subscription_remounts_and_subscribes_with_the_new_token(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("b", form(), live=True, mount={}))
    subscribe = cf_page.next_socket_message()
    assert subscribe["token"] == "token-of-b"
    cf_page.reply_on_socket(
        {"type": "error", "error": "expired", "code": "stale_state", "ref": subscribe["ref"]}
    )
    remount = cf_page.next_request()
    assert remount.message["mount"] == "{}"
    remount.render(form(), subscribe_token="fresh-token")
    again = cf_page.next_socket_message()
    assert (again["type"], again["token"]) == ("subscribe", "fresh-token")
    expect(cf_page.page.get_by_role("alert")).to_have_count(0)


def test_a_state_the_page_changed_is_refused_with_the_error_and_never_recovered(
    cf_page: ClientPage,
) -> None:
    """The server cannot tell a changed state from one signed with a key it no longer has; cf.js
    can: it recovers only when it sent back exactly what the server gave it."""
    open_form(cf_page)
    page = cf_page.page
    page.eval_on_selector(
        "[data-cf-id=f]", "root => root.setAttribute('data-cf-state', '{\"n\": 1000}')"
    )
    page.get_by_role("button", name="Save").click()
    cf_page.next_request().refuse(*TAMPERED)
    expect(page.get_by_role("alert")).to_have_text(TAMPERED[0])
    page.get_by_role("button", name="Save").click()
    assert "mount" not in cf_page.next_request().message  # the next event, not a remount
