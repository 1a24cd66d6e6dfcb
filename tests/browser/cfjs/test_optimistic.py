"""Optimistic patches beyond text: ``cf-show`` and ``cf-class`` applied at once, rolled back.

The server computes each event's patch ahead (``data-cf-optimistic``); firing the event applies
it to ``cf-text="key"`` (text), ``cf-show="key"``/``"!key"`` (shown while the value is true /
false, as Python sees truth) and ``cf-class="name:key name2:!key"``; a refusal rolls it back in
the same task as the error appears, the same nodes in the same places.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

ITEM = (
    '<ul><li id="a" cf-show="!removed" cf-class="done:done faded:!visible">Milk '
    '<button type="button" cf-click="remove">Remove</button>'
    '<button type="button" cf-click="finish">Finish</button></li>'
    '<li id="b">Bread</li></ul>'
    '<p cf-show="removed" hidden>Removed.</p><output cf-text="count">1</output>'
    '<div data-cf-error role="alert" hidden></div>'
)
PATCHES = {
    "remove|": {"removed": True, "count": 0},
    "finish|": {"done": True, "visible": []},  # an empty list is false, as in Python
}


def test_show_and_class_patches_apply_at_once(cf_page: ClientPage) -> None:
    cf_page.open(component("c", ITEM, optimistic=PATCHES))
    page = cf_page.page
    page.get_by_role("button", name="Finish").click()
    request = cf_page.next_request()
    expect(page.locator("#a")).to_have_class("done faded")
    request.render(ITEM.replace('id="a"', 'id="a" class="done"'))
    expect(page.locator("#a")).to_have_class("done")  # the server's render wins
    page.get_by_role("button", name="Remove").click()
    request = cf_page.next_request()
    expect(page.locator("#a")).to_be_hidden()
    expect(page.get_by_text("Removed.")).to_be_visible()
    expect(page.locator("output")).to_have_text("0")
    request.render(
        '<ul><li id="b">Bread</li></ul><p>Removed.</p><output cf-text="count">0</output>'
    )
    expect(page.locator("li")).to_have_count(1)


def test_a_refusal_rolls_back_the_same_nodes_in_place(cf_page: ClientPage) -> None:
    cf_page.open(component("c", ITEM, optimistic=PATCHES))
    page = cf_page.page
    cf_page.mark("li, p, output")
    before = page.evaluate("document.querySelector('#b').getBoundingClientRect().top")
    page.get_by_role("button", name="Remove").click()
    request = cf_page.next_request()
    expect(page.locator("#a")).to_be_hidden()
    # Record every frame from here: none may show a state between patched and rolled back.
    page.evaluate(
        """() => { window.frames_ = [];
        const look = () => { window.frames_.push([document.querySelector('#a').hidden,
            !document.querySelector('[data-cf-error]').hidden]); requestAnimationFrame(look); };
        requestAnimationFrame(look); }"""
    )
    request.refuse("Cannot remove.")
    expect(page.get_by_role("alert")).to_have_text("Cannot remove.")
    expect(page.locator("#a")).to_be_visible()
    expect(page.locator("#a")).not_to_have_class("done")
    expect(page.get_by_text("Removed.")).to_be_hidden()
    expect(page.locator("output")).to_have_text("1")
    assert cf_page.marks("li, p, output") == [0, 1, 2, 3]  # the same nodes
    after = page.evaluate("document.querySelector('#b').getBoundingClientRect().top")
    assert after == before  # no layout jump (the template gives the error its place below)
    # Each frame showed the patch without the error, or the rollback with it: never a mix.
    frames = page.evaluate("window.frames_")
    assert [True, True] not in frames and [False, False] not in frames


def test_class_patches_roll_back_to_what_the_element_had(cf_page: ClientPage) -> None:
    inner = (
        '<p class="faded" cf-class="faded:visible">Note</p><button cf-click="show">Show</button>'
    )
    cf_page.open(component("c", inner, optimistic={"show|": {"visible": True}}))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(page.locator("p")).to_have_class("faded")  # visible is true: "faded" stays
    request.refuse()
    expect(page.locator("p")).to_have_class("faded")


def test_tailwind_style_class_names_keep_their_colons(cf_page: ClientPage) -> None:
    inner = '<p cf-class="hover:underline:active">Note</p><button cf-click="go">Go</button>'
    cf_page.open(component("c", inner, optimistic={"go|": {"active": 1}}))
    cf_page.page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(cf_page.page.locator("p")).to_have_class("hover:underline")
    request.render(inner)


def test_a_binding_may_name_a_path_into_the_patch(cf_page: ClientPage) -> None:
    inner = (
        '<ul><li id="t0" cf-class="done:items.0.done">A</li>'
        '<li id="t1" cf-class="done:items.1.done" cf-show="!items.1.gone">'
        '<span cf-text="items.1.text">B</span></li></ul>'
        '<button type="button" cf-click="go">Go</button>'
    )
    patch = {"items": [{"done": False}, {"done": True, "text": "B!", "gone": None}]}
    cf_page.open(component("c", inner, optimistic={"go|": patch}))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(page.locator("#t1")).to_have_class("done")
    expect(page.locator("#t1")).to_be_visible()
    expect(page.locator("#t1 span")).to_have_text("B!")
    assert page.get_attribute("#t0", "class") in (None, "")
    request.refuse()
    expect(page.locator("#t1 span")).to_have_text("B")
    assert page.get_attribute("#t1", "class") in (None, "")
