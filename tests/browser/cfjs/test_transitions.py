"""Transitions: ``cf-transition`` enter/leave classes in a morph, ``cf-view-transition``.

An element with ``cf-transition="fade"`` that a morph adds gets ``fade-enter-active`` and
``fade-enter-from``, then ``fade-enter-to`` from the next style on, until its CSS transition
ends; one the morph removes stays with the ``fade-leave-*`` classes until its transition ends,
then goes. Without a CSS transition nothing waits. The page's timers are frozen in these tests
(``stop_clock``), so the test moves time on.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

STYLE = """<style>
.fade-enter-active, .fade-leave-active { transition: opacity 300ms; }
.fade-enter-from, .fade-leave-to { opacity: 0; }
</style>"""


def items(*names: str, transition: str = 'cf-transition="fade"') -> str:
    return "<ul>" + "".join(f'<li id="{n}" {transition}>{n}</li>' for n in names) + "</ul>"


def test_an_added_element_enters_with_its_classes(cf_page: ClientPage) -> None:
    cf_page.stop_clock()
    cf_page.open(STYLE + component("c", items("a")))
    page = cf_page.page
    expect(page.locator("#a")).not_to_have_class("fade-enter-active")  # no entry on page load
    cf_page.morph("c", items("a", "b"))
    expect(page.locator("#b")).to_have_class("fade-enter-active fade-enter-to")
    expect(page.locator("#a")).not_to_have_class("fade-enter-active fade-enter-to")
    page.clock.run_for(299)
    expect(page.locator("#b")).to_have_class("fade-enter-active fade-enter-to")
    page.clock.run_for(2)
    expect(page.locator("#b")).not_to_have_class("fade-enter-active fade-enter-to")


def test_a_removed_element_leaves_then_goes(cf_page: ClientPage) -> None:
    cf_page.stop_clock()
    cf_page.open(STYLE + component("c", items("a", "b", "c")))
    page = cf_page.page
    cf_page.mark("li")
    cf_page.morph("c", items("a", "c"))
    expect(page.locator("#b")).to_have_class("fade-leave-active fade-leave-to")
    cf_page.morph("c", items("a", "c", "d"))  # a render while it leaves does not take it back
    expect(page.locator("li")).to_have_text(["a", "b", "c", "d"])
    expect(page.locator("#b")).to_have_class("fade-leave-active fade-leave-to")
    page.clock.run_for(301)
    expect(page.locator("li")).to_have_text(["a", "c", "d"])
    assert cf_page.marks("li") == [0, 2, None]


def test_without_a_css_transition_nothing_waits(cf_page: ClientPage) -> None:
    cf_page.stop_clock()
    cf_page.open(component("c", items("a", "b")))
    cf_page.morph("c", items("a"))
    expect(cf_page.page.locator("li")).to_have_text(["a"])
    cf_page.morph("c", items("a", "b"))
    assert cf_page.page.get_attribute("#b", "class") in (None, "")


def test_a_bare_cf_transition_uses_the_cf_prefix(cf_page: ClientPage) -> None:
    style = STYLE.replace("fade-", "cf-")
    cf_page.stop_clock()
    cf_page.open(style + component("c", items("a", transition="cf-transition")))
    cf_page.morph("c", items("a", "b", transition="cf-transition"))
    expect(cf_page.page.locator("#b")).to_have_class("cf-enter-active cf-enter-to")


def test_a_render_during_an_entry_keeps_its_classes(cf_page: ClientPage) -> None:
    cf_page.stop_clock()
    cf_page.open(STYLE + component("c", items("a")))
    page = cf_page.page
    cf_page.morph("c", items("a", "b"))
    cf_page.morph("c", items("a", "b").replace(">b<", ">B<"))
    expect(page.locator("#b")).to_have_text("B")
    expect(page.locator("#b")).to_have_class("fade-enter-active fade-enter-to")
    page.clock.run_for(301)
    expect(page.locator("#b")).not_to_have_class("fade-enter-active fade-enter-to")


def test_optimistic_show_and_hide_go_through_the_transition(cf_page: ClientPage) -> None:
    inner = (
        '<p id="note" cf-show="open" cf-transition="fade" hidden>Note</p>'
        '<button type="button" cf-click="toggle">Toggle</button>'
    )
    cf_page.stop_clock()
    cf_page.open(STYLE + component("c", inner, optimistic={"toggle|": {"open": True}}))
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    expect(page.locator("#note")).to_be_visible()
    expect(page.locator("#note")).to_have_class("fade-enter-active fade-enter-to")
    request.refuse()  # rolled back: it leaves, then is hidden
    expect(page.locator("#note")).to_have_class("fade-leave-active fade-leave-to")
    page.clock.run_for(301)
    expect(page.locator("#note")).to_be_hidden()


SPY = """() => {
  window.viewTransitions = 0;
  const start = document.startViewTransition.bind(document);
  document.startViewTransition = (update) => { window.viewTransitions++; return start(update); };
}"""


def test_cf_view_transition_morphs_inside_a_view_transition(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<section cf-view-transition><p>One</p></section>"))
    page = cf_page.page
    page.evaluate(SPY)
    cf_page.morph("c", "<section cf-view-transition><p>Two</p></section>")
    expect(page.locator("p")).to_have_text("Two")
    assert page.evaluate("window.viewTransitions") == 1


def test_without_cf_view_transition_no_view_transition_starts(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>One</p>"))
    cf_page.page.evaluate(SPY)
    cf_page.morph("c", "<p>Two</p>")
    expect(cf_page.page.locator("p")).to_have_text("Two")
    assert cf_page.page.evaluate("window.viewTransitions") == 0
