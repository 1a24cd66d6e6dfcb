"""Form controls after a reply: the server's render, except a change the server has not seen.

A control the user changed keeps the user's value when that change was never sent, was made
after the request the reply answers left, or is in a later request still waiting; so does text
sent as it is typed (cf-input, cf-model on input) while the server renders the field's value as
it rendered it before; every other control shows what the server rendered (replies, refusals,
pushes).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component, update

pytestmark = pytest.mark.browser


def field(value: str, binding: str = "") -> str:
    return f'<label>Note <input name="note" value="{value}" {binding}></label>'


def test_an_unsent_change_is_kept(cf_page: ClientPage) -> None:
    cf_page.open(component("c", field("server")))
    note = cf_page.page.get_by_label("Note")
    note.fill("typed, never sent")
    cf_page.morph("c", field("server, later"))
    expect(note).to_have_value("typed, never sent")
    assert note.get_attribute("value") == "server, later"  # the attribute follows the server


def test_a_control_the_user_never_changed_shows_the_server_value(cf_page: ClientPage) -> None:
    cf_page.open(component("c", field("one")))
    cf_page.morph("c", field("two"))
    expect(cf_page.page.get_by_label("Note")).to_have_value("two")


def test_a_sent_change_shows_the_server_value(cf_page: ClientPage) -> None:
    cf_page.open(component("c", field("", 'cf-change="save"')))
    note = cf_page.page.get_by_label("Note")
    note.fill("  ada  ")
    note.dispatch_event("change")
    request = cf_page.next_request()
    assert request.message["payload"] == {"value": "  ada  "}
    request.render(field("Ada", 'cf-change="save"'))  # the server trims and capitalises
    expect(note).to_have_value("Ada")


def test_a_change_made_after_the_request_left_is_kept(cf_page: ClientPage) -> None:
    cf_page.open(component("c", field("", 'cf-change="save"')))
    note = cf_page.page.get_by_label("Note")
    note.fill("first")
    note.dispatch_event("change")
    request = cf_page.next_request()
    note.fill("first, then more")  # typed while the request is in flight
    request.render(field("first", 'cf-change="save"'))
    expect(cf_page.page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    expect(note).to_have_value("first, then more")


def test_a_change_waiting_in_a_later_request_is_kept(cf_page: ClientPage) -> None:
    cf_page.open(component("c", field("", 'cf-change="save"')))
    note = cf_page.page.get_by_label("Note")
    note.fill("one")
    note.dispatch_event("change")
    first = cf_page.next_request()
    note.fill("two")
    note.dispatch_event("change")  # queued behind the first request
    first.render(field("one", 'cf-change="save"'))
    second = cf_page.next_request()  # sent once the first reply is applied
    expect(note).to_have_value("two")
    assert second.message["payload"] == {"value": "two"}
    second.render(field("TWO", 'cf-change="save"'))
    expect(note).to_have_value("TWO")


def test_a_refused_checkbox_change_is_undone_by_the_render(cf_page: ClientPage) -> None:
    box = '<label><input type="checkbox" name="done" cf-change="toggle"{}> Done</label>'
    cf_page.open(component("c", box.format("")))
    checkbox = cf_page.page.get_by_label("Done")
    checkbox.click()
    request = cf_page.next_request()
    assert request.message["payload"] == {"value": True}
    request.render(box.format(""))  # the server kept it open
    expect(checkbox).not_to_be_checked()


def test_an_unsent_checkbox_keeps_the_user_tick(cf_page: ClientPage) -> None:
    box = '<label><input type="checkbox" name="done"{}> Done</label><p>{}</p>'
    cf_page.open(component("c", box.format("", "a")))
    cf_page.page.get_by_label("Done").check()
    cf_page.morph("c", box.format("", "b"))
    expect(cf_page.page.get_by_label("Done")).to_be_checked()


def test_select_and_radios_show_the_server_choice_once_sent(cf_page: ClientPage) -> None:
    def form(colour: str, size: str) -> str:
        options = "".join(
            f"<option{' selected' if c == colour else ''}>{c}</option>" for c in ("red", "blue")
        )
        radios = "".join(
            f'<label><input type="radio" name="size" value="{s}" cf-change="size"'
            f"{' checked' if s == size else ''}>{s}</label>"
            for s in ("small", "large")
        )
        select = f'<select name="colour" cf-change="colour">{options}</select>'
        return f"<label>Colour {select}</label>{radios}"

    cf_page.open(component("c", form("red", "small")))
    page = cf_page.page
    page.get_by_label("Colour").select_option("blue")
    cf_page.next_request().render(form("red", "small"))  # refused: back to red
    expect(page.get_by_label("Colour")).to_have_value("red")
    page.get_by_label("large").check()
    cf_page.next_request().render(form("red", "small"))
    expect(page.get_by_label("small")).to_be_checked()
    expect(page.get_by_label("large")).not_to_be_checked()


def test_a_textarea_keeps_unsent_text_and_follows_sent_text(cf_page: ClientPage) -> None:
    def areas(comment: str, live: str) -> str:
        return (
            f'<label>Comment <textarea name="comment">{comment}</textarea></label>'
            f'<label>Live <textarea name="live" cf-input="typed">{live}</textarea></label>'
        )

    cf_page.open(component("c", areas("server", "")))
    cf_page.page.get_by_label("Comment").fill("mine")
    live = cf_page.page.get_by_label("Live")
    live.fill("sent")
    request = cf_page.next_request()
    request.render(areas("server 2", "SENT"))
    expect(cf_page.page.get_by_label("Comment")).to_have_value("mine")
    expect(live).to_have_value("SENT")


def test_a_submitted_form_shows_the_server_values(cf_page: ClientPage) -> None:
    def form(name: str, email: str) -> str:
        return (
            f'<form cf-submit="save"><label>Name <input name="name" value="{name}"></label>'
            f'<label>Email <input name="email" value="{email}"></label>'
            '<button type="submit">Save</button></form>'
        )

    cf_page.open(component("c", form("", "")))
    page = cf_page.page
    page.get_by_label("Name").fill("ada")
    page.get_by_label("Email").fill("ADA@EXAMPLE.ORG")
    page.get_by_role("button", name="Save").click()
    request = cf_page.next_request()
    assert request.message["payload"] == {"form_data": {"name": "ada", "email": "ADA@EXAMPLE.ORG"}}
    page.get_by_label("Email").fill("ada@example.org")  # corrected before the reply
    request.render(form("Ada", "ADA@EXAMPLE.ORG"))
    expect(page.get_by_label("Name")).to_have_value("Ada")
    expect(page.get_by_label("Email")).to_have_value("ada@example.org")


def test_cf_reset_clears_accepted_inputs_but_not_the_next_item(cf_page: ClientPage) -> None:
    form = '<form cf-submit="add" cf-reset><label>Item <input name="text" value=""></label></form>'
    cf_page.open(component("c", form))
    item = cf_page.page.get_by_label("Item")
    item.fill("milk")
    item.press("Enter")
    request = cf_page.next_request()
    request.render(form)
    expect(item).to_have_value("")
    item.fill("eggs")
    item.press("Enter")
    request = cf_page.next_request()
    item.fill("bread")  # the next item, typed before the reply
    request.render(form)
    expect(item).to_have_value("bread")


def test_a_push_keeps_changes_made_after_the_last_reply(cf_page: ClientPage) -> None:
    inner = field("{}", 'cf-change="save"') + '<label>Draft <input name="draft" value="{}"></label>'
    cf_page.open(component("board", inner.format("", ""), live=True))
    subscribe = cf_page.next_socket_message()
    assert (subscribe["type"], subscribe["token"]) == ("subscribe", "token-of-board")
    cf_page.reply_on_socket({"type": "subscribed", "ref": subscribe["ref"]})
    expect(cf_page.page.locator("[data-cf-id=board]")).to_have_attribute("data-cf-subscribed", "")
    page = cf_page.page
    page.get_by_label("Note").fill("seen")
    page.get_by_label("Note").blur()  # change
    cf_page.next_request().render(inner.format("seen", ""))
    expect(page.get_by_label("Note")).not_to_have_attribute("data-cf-loading", "")  # applied
    page.get_by_label("Draft").fill("not sent yet")
    cf_page.reply_on_socket(update("board", inner.format("pushed", "pushed")))
    expect(page.get_by_label("Note")).to_have_value("pushed")
    expect(page.get_by_label("Draft")).to_have_value("not sent yet")


# Text sent as it is typed (cf-input, cf-model on input) is still the user's: it stays over
# every render that gives the field the value its previous render gave, and follows a new one.


def message_field(value: str = "", binding: str = 'cf-input="typing"') -> str:
    return f'<label>Message <input name="text" value="{value}" {binding}></label>'


def caret(cf_page: ClientPage) -> list[int]:
    return cf_page.page.get_by_label("Message").evaluate(  # type: ignore[no-any-return]
        "el => [el.selectionStart, el.selectionEnd]"
    )


def test_text_typed_with_cf_input_stays_when_its_replies_render_the_field_empty(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("c", message_field()))
    message = cf_page.page.get_by_label("Message")
    message.click()
    message.press_sequentially("h")
    first = cf_page.next_request()
    assert first.message["payload"] == {"value": "h"}
    message.press_sequentially("ello")  # typed before the first reply: four events wait
    first.render(message_field())
    for typed in ("he", "hel", "hell", "hello"):
        request = cf_page.next_request()
        assert request.message["payload"] == {"value": typed}
        request.render(message_field())
    expect(cf_page.page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    expect(message).to_have_value("hello")
    expect(message).to_be_focused()
    assert caret(cf_page) == [5, 5]


def test_the_first_key_of_a_throttled_cf_input_stays_after_its_reply(cf_page: ClientPage) -> None:
    inner = message_field(binding='cf-input="typing" cf-throttle="2000"') + "<p>{}</p>"
    cf_page.open(component("c", inner.format("nobody types")))
    message = cf_page.page.get_by_label("Message")
    message.press_sequentially("h")
    cf_page.next_request().render(inner.format("you type"))
    expect(cf_page.page.get_by_text("you type")).to_be_visible()
    expect(message).to_have_value("h")


def test_a_push_keeps_the_text_being_typed_and_shows_a_value_the_server_sets(
    cf_page: ClientPage,
) -> None:
    inner = message_field("{}") + "<p>{}</p>"
    cf_page.open(component("room", inner.format("", "no one"), live=True))
    subscribe = cf_page.next_socket_message()
    cf_page.reply_on_socket({"type": "subscribed", "ref": subscribe["ref"]})
    expect(cf_page.page.locator("[data-cf-id=room]")).to_have_attribute("data-cf-subscribed", "")
    message = cf_page.page.get_by_label("Message")
    message.press_sequentially("hi")
    cf_page.next_request().render(inner.format("", "no one"))
    cf_page.next_request().render(inner.format("", "no one"))
    message.press("ArrowLeft")
    cf_page.reply_on_socket(update("room", inner.format("", "Ada joined")))
    expect(cf_page.page.get_by_text("Ada joined")).to_be_visible()
    expect(message).to_have_value("hi")
    assert caret(cf_page) == [1, 1]
    cf_page.reply_on_socket(update("room", inner.format("a draft from the server", "Ada left")))
    expect(cf_page.page.get_by_text("Ada left")).to_be_visible()
    expect(message).to_have_value("a draft from the server")


def test_a_reply_to_another_elements_event_keeps_the_text_of_the_focused_field(
    cf_page: ClientPage,
) -> None:
    # A toolbar button that keeps the focus in the field (an emoji picker, say).
    button = (
        '<button type="button" cf-click="wave" onmousedown="event.preventDefault()">Wave</button>'
    )
    inner = message_field() + button + "<p>{}</p>"
    cf_page.open(component("c", inner.format("")))
    message = cf_page.page.get_by_label("Message")
    message.press_sequentially("ok")
    cf_page.next_request().render(inner.format(""))
    cf_page.next_request().render(inner.format(""))
    expect(cf_page.page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    cf_page.page.get_by_role("button", name="Wave").click()
    request = cf_page.next_request()
    assert request.message["event"] == "wave"
    request.render(inner.format("waved"))
    expect(cf_page.page.get_by_text("waved")).to_be_visible()
    expect(message).to_have_value("ok")
    expect(message).to_be_focused()
    assert caret(cf_page) == [2, 2]


def test_cf_model_text_stays_unless_the_server_renders_it_anew(cf_page: ClientPage) -> None:
    def fields(title: str) -> str:
        search = '<label>Search <input name="q" cf-model.debounce.0="query"></label>'
        return search + message_field(title, 'cf-model.debounce.0="title"')

    cf_page.open(component("c", fields("")))
    search = cf_page.page.get_by_label("Search")
    search.fill("ada")  # the server keeps the query but does not render it in the field
    request = cf_page.next_request()
    assert request.message["payload"] == {"field": "query", "value": "ada"}
    request.render(fields(""))
    expect(cf_page.page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    expect(search).to_have_value("ada")
    cf_page.page.get_by_label("Message").fill("ada lovelace")
    request = cf_page.next_request()
    assert request.message["payload"] == {"field": "title", "value": "ada lovelace"}
    request.render(fields("Ada Lovelace"))  # the server renders it capitalised: a new value
    expect(cf_page.page.get_by_label("Message")).to_have_value("Ada Lovelace")
    expect(search).to_have_value("ada")


def test_a_submit_hands_the_typed_text_to_the_server_which_may_empty_the_field(
    cf_page: ClientPage,
) -> None:
    form = '<form cf-submit="send">' + message_field() + "</form><ol>{}</ol>"
    cf_page.open(component("c", form.format("")))
    message = cf_page.page.get_by_label("Message")
    message.fill("hello")
    cf_page.next_request().render(form.format(""))
    expect(cf_page.page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    expect(message).to_have_value("hello")
    message.press("Enter")
    request = cf_page.next_request()
    assert request.message["payload"] == {"form_data": {"text": "hello"}}
    request.render(form.format("<li>hello</li>"))
    expect(cf_page.page.get_by_role("listitem")).to_have_text("hello")
    expect(message).to_have_value("")
    expect(message).to_be_focused()


# Leaving a field (a click elsewhere, Tab) fires its change event, which brings no new text:
# the server saw it all as it was typed, so its render still decides.


def message_area(value: str, binding: str) -> str:
    return f'<label>Message <textarea name="text" {binding}>{value}</textarea></label>'


@pytest.mark.parametrize("binding", ['cf-input="search"', 'cf-model.debounce.0="q"'])
@pytest.mark.parametrize("control", [message_field, message_area])
def test_leaving_the_field_before_the_reply_shows_the_value_the_server_renders(
    cf_page: ClientPage, binding: str, control: Callable[[str, str], str]
) -> None:
    cf_page.open(component("c", control("", binding)))
    message = cf_page.page.get_by_label("Message")
    message.fill("LON ")
    request = cf_page.next_request()
    message.blur()  # change
    request.render(control("lon", binding))  # the server trims and lowercases
    expect(message).to_have_value("lon")


def test_a_button_that_clears_the_field_clears_it_after_typing(cf_page: ClientPage) -> None:
    inner = message_field("{}", 'cf-input="search"') + (
        '<button type="button" cf-click="clear">Clear</button><p>{}</p>'
    )
    cf_page.open(component("c", inner.format("", "")))
    message = cf_page.page.get_by_label("Message")
    message.press_sequentially("ber")
    for typed in ("b", "be", "ber"):
        cf_page.next_request().render(inner.format(typed, f"found {typed}"))
    expect(cf_page.page.get_by_text("found ber")).to_be_visible()
    cf_page.page.get_by_role("button", name="Clear").click()  # the field's change fires
    request = cf_page.next_request()
    assert request.message["event"] == "clear"
    request.render(inner.format("", "cleared"))
    expect(cf_page.page.get_by_text("cleared")).to_be_visible()
    expect(message).to_have_value("")
