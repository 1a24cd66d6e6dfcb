"""Loading states: what a page shows while a component's requests are queued or in flight.

``cf-loading`` shows an element (``="hide"`` hides it), ``cf-loading-class`` adds classes,
``cf-loading-attr`` sets attributes, each while any event of the component is pending or only
those of ``cf-loading-for``, after ``cf-loading-delay`` ms if given; the root tells queued from
in flight; ``cf-disable-with`` and forms take no second event while the first is pending.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

SAVE = '<button type="button" cf-click="save">Save</button>'
OTHER = '<button type="button" cf-click="other">Other</button>'


def test_cf_loading_shows_an_element_only_while_an_event_is_pending(cf_page: ClientPage) -> None:
    inner = f'{SAVE}<span cf-loading role="status">Saving...</span>'
    cf_page.open(component("c", inner))
    status = cf_page.page.get_by_role("status")
    expect(status).to_be_hidden()  # cf.js hides it, though the HTML does not say hidden
    cf_page.page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(status).to_be_visible()
    request.render(inner)  # the server renders it without `hidden` again
    expect(cf_page.page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    expect(status).to_be_hidden()


def test_hide_class_and_attributes_while_loading_and_back_after(cf_page: ClientPage) -> None:
    inner = (
        f'{SAVE}<p cf-loading="hide">Ready</p>'
        '<ul cf-loading-class="dim busy" class="list"><li>One</li></ul>'
        '<input aria-label="Name" cf-loading-attr="readonly aria-busy=true">'
    )
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(page.get_by_text("Ready")).to_be_hidden()
    expect(page.locator("ul")).to_have_class("list dim busy")
    name = page.get_by_label("Name")
    expect(name).to_have_attribute("readonly", "")
    expect(name).to_have_attribute("aria-busy", "true")
    request.render(inner)
    expect(page.get_by_text("Ready")).to_be_visible()
    expect(page.locator("ul")).to_have_class("list")
    expect(name).not_to_have_attribute("readonly", "")
    expect(name).not_to_have_attribute("aria-busy", "true")


def test_a_loading_state_survives_a_render_while_still_pending(cf_page: ClientPage) -> None:
    inner = f'{SAVE}{OTHER}<ul cf-loading-class="dim" cf-loading-for="save"><li>One</li></ul>'
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_role("button", name="Other").click()
    page.get_by_role("button", name="Save").click()  # queued behind "other"
    cf_page.next_request().render(inner.replace("One", "Two"))  # "other" answered
    expect(page.locator("ul")).to_have_text("Two")
    expect(page.locator("ul")).to_have_class("dim")  # "save" is still pending
    cf_page.next_request().render(inner)
    expect(page.locator("ul")).not_to_have_class("dim")


def test_cf_loading_for_names_the_events_it_watches(cf_page: ClientPage) -> None:
    inner = f'{SAVE}{OTHER}<span cf-loading cf-loading-for="save, delete">Saving...</span>'
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_role("button", name="Other").click()
    request = cf_page.next_request()
    expect(page.locator("[data-cf-id=c]")).to_have_attribute("data-cf-in-flight", "other")
    expect(page.get_by_text("Saving...")).to_be_hidden()
    request.render(inner)
    page.get_by_role("button", name="Save").click()
    request = cf_page.next_request()
    expect(page.get_by_text("Saving...")).to_be_visible()
    request.render(inner)
    expect(page.get_by_text("Saving...")).to_be_hidden()


def test_cf_loading_delay_spares_fast_replies(cf_page: ClientPage) -> None:
    inner = f'{SAVE}<span cf-loading cf-loading-delay="300">Slow...</span>'
    cf_page.stop_clock()
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    page.clock.run_for(299)
    expect(page.get_by_text("Slow...")).to_be_hidden()
    page.clock.run_for(2)
    expect(page.get_by_text("Slow...")).to_be_visible()
    request.render(inner)
    expect(page.get_by_text("Slow...")).to_be_hidden()
    # A reply inside the delay never shows it.
    page.get_by_role("button").click()
    cf_page.next_request().render(inner)
    expect(page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    page.clock.run_for(1000)
    expect(page.get_by_text("Slow...")).to_be_hidden()


def test_a_bare_delay_is_200_ms(cf_page: ClientPage) -> None:
    inner = f"{SAVE}<span cf-loading cf-loading-delay>Slow...</span>"
    cf_page.stop_clock()
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    page.clock.run_for(199)
    expect(page.get_by_text("Slow...")).to_be_hidden()
    page.clock.run_for(2)
    expect(page.get_by_text("Slow...")).to_be_visible()
    request.render(inner)


def test_the_root_tells_queued_requests_from_the_one_in_flight(cf_page: ClientPage) -> None:
    cf_page.open(component("c", SAVE + OTHER))
    page = cf_page.page
    root = page.locator("[data-cf-id=c]")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Other").click()
    page.get_by_role("button", name="Other").click()
    first = cf_page.next_request()
    expect(root).to_have_attribute("data-cf-in-flight", "save")
    expect(root).to_have_attribute("data-cf-queued", "2")
    assert page.evaluate("cf.pending('c')") == {"inFlight": "save", "queued": ["other", "other"]}
    first.render(SAVE + OTHER)
    second = cf_page.next_request()
    expect(root).to_have_attribute("data-cf-in-flight", "other")
    expect(root).to_have_attribute("data-cf-queued", "1")
    second.render(SAVE + OTHER)
    cf_page.next_request().render(SAVE + OTHER)
    expect(root).not_to_have_attribute("data-cf-loading", "")
    expect(root).not_to_have_attribute("data-cf-in-flight", "other")
    expect(root).not_to_have_attribute("data-cf-queued", "0")
    assert page.evaluate("cf.pending('c')") == {"inFlight": None, "queued": []}


def test_loading_elements_of_a_nested_component_follow_their_own(cf_page: ClientPage) -> None:
    inner = component("inner", '<span cf-loading role="status">Inner busy</span>')
    cf_page.open(component("outer", SAVE + inner))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(page.get_by_role("status")).to_be_hidden()  # the outer one is busy, not "inner"
    request.render(SAVE + inner)


# ---------- cf-disable-with and double submits ----------

FORM = (
    '<form cf-submit="post"><input name="title" aria-label="Title">'
    '<button cf-disable-with="Posting...">Post</button>'
    '<button name="draft">Draft</button></form>'
)


def test_a_double_click_on_submit_sends_one_event(cf_page: ClientPage) -> None:
    cf_page.open(component("c", FORM))
    page = cf_page.page
    page.get_by_label("Title").fill("Hello")
    page.get_by_role("button", name="Post").dblclick()
    request = cf_page.next_request()
    assert request.message["payload"] == {"form_data": {"title": "Hello"}}
    posting = page.get_by_role("button", name="Posting...")
    expect(posting).to_be_disabled()
    expect(page.get_by_role("button", name="Draft")).to_be_disabled()
    page.get_by_label("Title").press("Enter")  # implicit submission: still no second event
    request.render(FORM)
    expect(page.get_by_role("button", name="Post")).to_be_enabled()
    expect(page.get_by_role("button", name="Draft")).to_be_enabled()
    assert cf_page.requests == []
    page.get_by_role("button", name="Post").click()  # the next submit goes out as usual
    cf_page.next_request().render(FORM)


def test_a_form_without_buttons_takes_no_second_submit_while_pending(cf_page: ClientPage) -> None:
    form = '<form cf-submit="search"><input name="q" aria-label="Query"></form>'
    cf_page.open(component("c", form))
    query = cf_page.page.get_by_label("Query")
    query.fill("cats")
    query.press("Enter")
    request = cf_page.next_request()
    query.press("Enter")
    request.render(form)
    expect(cf_page.page.locator("[data-cf-id=c]")).not_to_have_attribute("data-cf-loading", "")
    assert cf_page.requests == []
    query.press("Enter")
    cf_page.next_request().render(form)


def test_disable_with_on_a_button_restores_its_content_after_the_reply(cf_page: ClientPage) -> None:
    button = (
        '<button type="button" cf-click="save" cf-disable-with="Saving..."><b>Save</b> now</button>'
    )
    cf_page.open(component("c", button))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(page.get_by_role("button")).to_have_text("Saving...")
    expect(page.get_by_role("button")).to_be_disabled()
    request.render(button.replace("now", "again"))  # the server's new label wins
    expect(page.get_by_role("button")).to_have_text("Save again")
    expect(page.get_by_role("button")).to_be_enabled()
    assert page.inner_html("button") == "<b>Save</b> again"


def test_disable_with_on_an_input_and_a_render_while_pending(cf_page: ClientPage) -> None:
    inner = (
        '<form cf-submit="post"><input type="submit" value="Send" cf-disable-with="Sending...">'
        "</form>" + OTHER
    )
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_role("button", name="Other").click()
    page.get_by_role("button", name="Send").click()
    cf_page.next_request().render(inner)  # "other" answered: "post" still pending
    sending = page.get_by_role("button", name="Sending...")
    expect(sending).to_be_disabled()
    cf_page.next_request().render(inner.replace("Send", "Send again", 1))
    expect(page.get_by_role("button", name="Send again")).to_be_enabled()


def test_disable_with_on_a_link_like_element_blocks_a_second_click(cf_page: ClientPage) -> None:
    link = '<a href="#" cf-click="load" cf-disable-with="Loading...">Load</a>'
    cf_page.open(component("c", link))
    page = cf_page.page
    page.get_by_role("link").click()
    request = cf_page.next_request()
    expect(page.get_by_role("link")).to_have_attribute("aria-disabled", "true")
    page.get_by_role("link").click(force=True)  # a click on it anyway sends nothing
    request.render(link)
    expect(page.get_by_role("link")).to_have_text("Load")
    expect(page.get_by_role("link")).not_to_have_attribute("aria-disabled", "true")
    assert cf_page.requests == []
