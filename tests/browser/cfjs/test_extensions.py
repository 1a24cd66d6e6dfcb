"""cf.js is a core plus optional scripts (cf-navigate.js, cf-hooks.js, cf-transitions.js), each
an extension added with ``cf.extend(name, setup)``. A page that uses a feature whose script it
did not load gets one console error naming the script and how to load it, never silence; an
app's own extension adds effect types and hears the morphs of roots holding its elements.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component, document

pytestmark = pytest.mark.browser

NAV = '<nav cf-navigate><a href="/">One</a> <a href="/two">Two</a></nav>'
MISSING_NAVIGATE = "needs cf-navigate.js, not loaded on this page"


def same_document(cf_page: ClientPage) -> bool:
    return bool(cf_page.page.evaluate("window.sameDocument === true"))


def test_a_page_using_navigation_without_its_script_says_which_to_load(
    cf_page: ClientPage,
) -> None:
    cf_page.pages["/two"] = document(f'{NAV}<p id="where">Two</p>', features=())
    cf_page.open(f'{NAV}<p id="where">One</p>', features=())
    error = cf_page.wait_for_console("error", MISSING_NAVIGATE)
    assert "uses cf-navigate" in error and '{{ cf_scripts("navigate") }}' in error
    assert '{% cf_scripts "navigate" %}' in error
    # The link still works: the browser loads the page.
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    assert not same_document(cf_page)


def test_the_navigate_effect_without_its_script_loads_the_page_and_says_so(
    cf_page: ClientPage,
) -> None:
    cf_page.pages["/two"] = document('<p id="where">Two</p>', features=())
    cf_page.open(component("c", "<p>Here</p>"), features=())
    assert cf_page.console_messages("error", "cf-navigate.js") == []  # it uses nothing yet
    cf_page.page.evaluate("window.sameDocument = true")
    sent = cf_page.send("c")
    with cf_page.page.expect_request("**/two"):
        cf_page.next_request().render("<p>Saved</p>", effects=[{"type": "navigate", "url": "/two"}])
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    assert not same_document(cf_page)
    assert cf_page.page.url.endswith("/two")
    assert '{{ cf_scripts("navigate") }}' in cf_page.wait_for_console("error", MISSING_NAVIGATE)
    del sent  # its page is gone: the promise never settles there


def test_state_in_the_url_without_its_script_is_an_error_not_silence(cf_page: ClientPage) -> None:
    cf_page.open(component("list", "<p>Page 1</p>", url="history"), features=())
    error = cf_page.wait_for_console("error", MISSING_NAVIGATE)
    assert "uses data-cf-url" in error
    effect = {"type": "patch_url", "query": {"page": 2}}
    cf_page.morph("list", "<p>Page 2</p>", effects=[effect])
    # One error per missing script, not one per use.
    assert len(cf_page.console_messages("error", "cf-navigate.js")) == 1


def test_hooks_and_transitions_without_their_scripts_say_which_to_load(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("c", '<div cf-hook="Chart"></div>'), features=("navigate",))
    error = cf_page.wait_for_console("error", "needs cf-hooks.js")
    assert '{{ cf_scripts("hooks") }}' in error
    # Defining a hook is no TypeError without the script: it just does not run.
    cf_page.page.evaluate("cf.hooks.Chart = { mounted() { window.mounted = true; } }")
    assert cf_page.page.evaluate("window.mounted === undefined")
    cf_page.morph("c", '<p cf-transition="fade">Added</p>')
    cf_page.wait_for_console("error", "needs cf-transitions.js")
    expect(cf_page.page.locator("p")).to_have_text("Added")  # shown at once


def test_navigation_to_a_page_that_needs_a_script_this_one_lacks_loads_it(
    cf_page: ClientPage,
) -> None:
    cf_page.pages["/two"] = document(f'{NAV}<p id="where">Two</p>', features=("navigate", "hooks"))
    cf_page.open(f'{NAV}<p id="where">One</p>', features=("navigate",))
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    assert not same_document(cf_page)  # a page load: cf-hooks.js runs there
    assert cf_page.page.evaluate("typeof cf.hooks") == "object"


def test_navigation_to_a_page_needing_fewer_scripts_stays_live(cf_page: ClientPage) -> None:
    cf_page.pages["/two"] = document(f'{NAV}<p id="where">Two</p>', features=("navigate",))
    cf_page.open(f'{NAV}<p id="where">One</p>')
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    assert same_document(cf_page)


EXTENSION = """() => {
  window.seen = [];
  cf.extend("stamp", (core) => ({
    selector: "[data-stamp]",
    effects: { stamp: (root, effect) => window.seen.push("effect " + effect.text) },
    rendered: (root, { updated }) => window.seen.push((updated ? "updated " : "started ") +
      root.getAttribute("data-cf-id")),
    api: { stamps: () => window.seen.length },
  }));
}"""


def test_an_extension_adds_effects_api_and_hears_its_roots_render(cf_page: ClientPage) -> None:
    cf_page.open(component("a", "<p>A</p>") + component("b", "<p data-stamp>B</p>"))
    cf_page.page.evaluate(EXTENSION)
    cf_page.morph("a", "<p>A2</p>", effects=[{"type": "stamp", "text": "hi"}])
    cf_page.morph("b", "<p data-stamp>B2</p>")
    # Only the root holding its elements; the effect by its type; its API on window.cf.
    assert cf_page.page.evaluate("window.seen") == ["effect hi", "updated b"]
    assert cf_page.page.evaluate("cf.stamps()") == 2
    # A second script of the same name changes nothing.
    assert cf_page.page.evaluate("cf.extend('stamp', () => ({}))") is False


def test_an_extension_that_throws_breaks_nothing_else(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p cf-hook='X'>Old</p>"))
    cf_page.page.evaluate(
        "cf.extend('broken', () => ({ rendered() { throw new Error('boom'); } }))"
    )
    cf_page.morph("c", "<p cf-hook='X'>New</p>")
    expect(cf_page.page.locator("p")).to_have_text("New")
    cf_page.wait_for_console("error", "the broken extension's rendered() failed")
