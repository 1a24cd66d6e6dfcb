"""More events: ``cf-blur``, ``cf-focus``, ``cf-window-keydown``, ``cf-click-away``, ``cf-visible``,
and ``cf-model`` with ``.lazy``, ``.blur`` and ``.debounce.<ms>``.

Each sends its event with ``cf-payload`` (plus ``value`` on a control), as the other bindings do.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser


def test_blur_and_focus_send_with_the_controls_value(cf_page: ClientPage) -> None:
    inner = (
        '<form><input name="email" aria-label="Email" cf-blur="validate" '
        'cf-payload=\'{"field": "email"}\'>'
        '<input name="name" aria-label="Name" cf-focus="started"></form>'
    )
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_label("Email").fill("ada@example")
    page.get_by_label("Name").focus()  # Email blurs, Name gets the focus
    blur = cf_page.next_request()
    assert (blur.message["event"], blur.message["payload"]) == (
        "validate",
        {"field": "email", "value": "ada@example"},
    )
    blur.render(inner)
    focus = cf_page.next_request()
    assert (focus.message["event"], focus.message["payload"]) == ("started", {"value": ""})
    focus.render(inner)


def test_blur_on_a_container_does_not_fire_for_its_children(cf_page: ClientPage) -> None:
    inner = '<div cf-blur="left"><input aria-label="A"><input aria-label="B"></div>'
    cf_page.open(component("c", inner))
    cf_page.page.get_by_label("A").focus()
    cf_page.page.get_by_label("B").focus()
    cf_page.assert_nothing_sent("c")


DIALOG = (
    '<div role="dialog" aria-label="Edit" cf-window-keydown.escape="close" '
    'cf-window-keydown.ctrl.s="save"><input aria-label="Title"></div>'
)


def test_window_keydown_hears_keys_pressed_anywhere(cf_page: ClientPage) -> None:
    cf_page.open('<input aria-label="Outside">' + component("c", DIALOG))
    page = cf_page.page
    page.get_by_label("Outside").press("Escape")  # focus outside the component
    close = cf_page.next_request()
    assert close.message["event"] == "close"
    close.render(DIALOG)
    page.get_by_label("Title").press("Control+s")
    save = cf_page.next_request()
    assert save.message["event"] == "save"
    save.render(DIALOG)
    page.get_by_label("Title").press("s")  # without ctrl: nothing
    page.keyboard.press("Enter")
    cf_page.assert_nothing_sent("c")


def test_window_keydown_keeps_the_default_unless_prevent(cf_page: ClientPage) -> None:
    inner = (
        '<div cf-window-keydown.a="typed_a"></div><div cf-window-keydown.b.prevent="typed_b">'
        '</div><input aria-label="Text">'
    )
    cf_page.open(component("c", inner))
    text = cf_page.page.get_by_label("Text")
    text.press("a")
    text.press("b")
    expect(text).to_have_value("a")
    events = []
    for _ in range(2):
        request = cf_page.next_request()
        events.append(request.message["event"])
        request.render(inner)
    assert events == ["typed_a", "typed_b"]


def test_a_stopped_keydown_does_not_reach_the_window(cf_page: ClientPage) -> None:
    inner = (
        '<div cf-window-keydown.escape="close"><input aria-label="Search" '
        'cf-keydown.escape.stop="clear"></div>'
    )
    cf_page.open(component("c", inner))
    cf_page.page.get_by_label("Search").press("Escape")
    clear = cf_page.next_request()
    assert clear.message["event"] == "clear"
    clear.render(inner)
    cf_page.assert_nothing_sent("c")  # not "close" as well


MENU = (
    '<button type="button" cf-click="open_menu">Menu</button>'
    '<ul role="menu" cf-click-away="close_menu"{hidden}><li role="menuitem">'
    '<button type="button">Inside</button></li></ul>'
)


def test_click_away_fires_for_a_click_outside_a_shown_element(cf_page: ClientPage) -> None:
    cf_page.open("<p>Elsewhere</p>" + component("c", MENU.format(hidden="")))
    page = cf_page.page
    page.get_by_role("button", name="Inside").click()
    cf_page.assert_nothing_sent("c")  # a click inside: nothing
    page.get_by_text("Elsewhere").click()
    request = cf_page.next_request()
    assert (request.message["event"], request.message["payload"]) == ("close_menu", {})
    request.render(MENU.format(hidden=" hidden"))
    page.get_by_text("Elsewhere").click()  # hidden now: no click-away
    cf_page.assert_nothing_sent("c")


def test_click_away_hears_clicks_a_binding_stopped(cf_page: ClientPage) -> None:
    inner = MENU.format(hidden="") + '<button type="button" cf-click.stop="other">Other</button>'
    cf_page.open(component("c", inner))
    cf_page.page.get_by_role("button", name="Other").click()
    events = []
    for _ in range(2):
        request = cf_page.next_request()
        events.append(request.message["event"])
        request.render(inner)
    assert events == ["close_menu", "other"]


def test_visible_fires_when_the_element_comes_into_view(cf_page: ClientPage) -> None:
    inner = (
        '<div style="height: 3000px">Top</div>'
        '<p id="end" cf-visible="load_more" cf-payload=\'{"page": 2}\'>More...</p>'
    )
    cf_page.open(component("c", inner))
    page = cf_page.page
    cf_page.assert_nothing_sent("c")  # below the fold
    page.locator("#end").scroll_into_view_if_needed()
    request = cf_page.next_request()
    assert (request.message["event"], request.message["payload"]) == ("load_more", {"page": 2})
    request.render(inner)
    cf_page.assert_nothing_sent("c")  # still in view: once per entry
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#end").scroll_into_view_if_needed()
    cf_page.next_request().render(inner)


def test_visible_fires_for_a_new_element_added_in_view(cf_page: ClientPage) -> None:
    def rows(last: int) -> str:
        return "".join(
            f'<p id="row-{n}"' + (' cf-visible="more"' if n == last else "") + f">Row {n}</p>"
            for n in range(1, last + 1)
        )

    cf_page.open(component("c", rows(2)))
    request = cf_page.next_request()  # row 2 is in view at once
    assert request.message["event"] == "more"
    request.render(rows(4))  # the new last row is in view too: it asks again
    cf_page.next_request().render(rows(4))


def test_model_lazy_blur_and_debounce(cf_page: ClientPage) -> None:
    inner = (
        '<input aria-label="Lazy" cf-model.lazy="lazy">'
        '<input aria-label="Blur" cf-model.blur="blurred">'
        '<input aria-label="Slow" cf-model.debounce.500="slow">'
    )
    cf_page.stop_clock()
    cf_page.open(component("c", inner))
    page = cf_page.page
    page.get_by_label("Lazy").fill("one")  # input only: nothing yet
    page.get_by_label("Lazy").dispatch_event("change")
    lazy = cf_page.next_request()
    assert lazy.message["payload"] == {"field": "lazy", "value": "one"}
    lazy.render(inner)
    page.get_by_label("Blur").fill("two")
    page.get_by_label("Slow").focus()  # Blur loses the focus
    blurred = cf_page.next_request()
    assert blurred.message["payload"] == {"field": "blurred", "value": "two"}
    blurred.render(inner)
    page.get_by_label("Slow").fill("three")
    page.clock.run_for(499)
    cf_page.assert_nothing_sent("c")
    page.clock.run_for(2)
    assert cf_page.next_request().message["payload"] == {"field": "slow", "value": "three"}


def test_window_keydown_and_click_away_inside_a_shadow_root(cf_page: ClientPage) -> None:
    inner = (
        '<div cf-window-keydown.escape="close" cf-click-away="away">'
        '<button type="button">In</button></div>'
    )
    cf_page.open('<p>Elsewhere</p><div id="host"></div>')
    cf_page.page.evaluate(
        """(html) => { const shadow = document.getElementById("host").attachShadow({mode: "open"});
        shadow.innerHTML = html; cf.scan(shadow); }""",
        component("s", inner),
    )
    cf_page.page.keyboard.press("Escape")
    request = cf_page.next_request()
    assert request.message["event"] == "close"
    request.render(inner)
    cf_page.page.get_by_role("button", name="In").click()  # inside: no click-away
    cf_page.page.get_by_text("Elsewhere").click()
    assert cf_page.next_request().message["event"] == "away"
