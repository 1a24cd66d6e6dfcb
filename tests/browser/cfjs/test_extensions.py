"""cf.js is a core plus optional scripts (cf-navigate.js, cf-hooks.js, cf-transitions.js), each
an extension added with ``cf.extend(name, setup)``. A page that uses a feature whose script it
did not load gets it from beside cf.js on first use; one that cannot load is one console error
naming the script, never silence; an app's own extension adds effect types and hears the morphs
of roots holding its elements.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from component_framework.core._scripts import OPTIONAL_SCRIPTS

from .harness import ORIGIN, ClientPage, component, document

pytestmark = pytest.mark.browser

NAV = '<nav cf-navigate><a href="/">One</a> <a href="/two">Two</a></nav>'
FAILED_NAVIGATE = f"needs cf-navigate.js; loading {ORIGIN}/cf/cf-navigate.js"


def same_document(cf_page: ClientPage) -> bool:
    return bool(cf_page.page.evaluate("window.sameDocument === true"))


def script_requests(cf_page: ClientPage) -> list[str]:
    """The optional scripts' URLs the page asks for, from now on."""
    requested: list[str] = []
    cf_page.page.on(
        "request",
        lambda request: requested.append(request.url) if "/cf/cf-" in request.url else None,
    )
    return requested


def test_a_page_with_only_cf_js_loads_cf_navigate_js_and_navigates_live(
    cf_page: ClientPage,
) -> None:
    requested = script_requests(cf_page)
    cf_page.pages["/two"] = document(f'{NAV}<p id="where">Two</p>', features=(), version="v1")
    cf_page.open(f'{NAV}<p id="where">One</p>', features=(), version="v1")
    # cf.prefetch waits for the script cf.js fetched (beside it, same ?v=) to register.
    cf_page.page.evaluate("cf.prefetch('/two')")
    assert requested == [f"{ORIGIN}/cf/cf-navigate.js?v=v1"]
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    assert same_document(cf_page)
    assert cf_page.console_messages("error", "cf-navigate.js") == []
    assert requested == [f"{ORIGIN}/cf/cf-navigate.js?v=v1"]  # loaded once


def test_a_preloaded_script_is_not_fetched_again(cf_page: ClientPage) -> None:
    requested = script_requests(cf_page)
    cf_page.open(component("c", '<a cf-navigate href="/">Home</a><p cf-hook="X">x</p>'))
    cf_page.morph("c", '<a cf-navigate href="/">Home</a><p cf-transition="fade">y</p>')
    # Each script the page loads, once: none fetched again for the elements using it.
    assert sorted(requested) == sorted(f"{ORIGIN}/cf/{file}" for file in OPTIONAL_SCRIPTS.values())


def test_the_navigate_effect_waits_for_its_script_and_navigates_live(
    cf_page: ClientPage,
) -> None:
    cf_page.pages["/two"] = document('<p id="where">Two</p>', features=())
    cf_page.open(component("c", "<p>Here</p>"), features=())
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.send("c")
    with cf_page.page.expect_request("**/cf/cf-navigate.js"):
        cf_page.next_request().render(
            "<p>Saved</p>",
            effects=[{"type": "navigate", "url": "/two"}, {"type": "flash", "text": "Hi"}],
        )
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    assert same_document(cf_page)
    assert cf_page.page.url.endswith("/two")


def test_a_hook_defined_after_its_script_loaded_runs(cf_page: ClientPage) -> None:
    cf_page.open(
        component("c", '<div cf-hook="Early"></div><div cf-hook="Late"></div>'), features=()
    )
    cf_page.page.evaluate(
        "cf.hooks.Early = { mounted() { window.early = true; } }"
    )  # kept whether cf-hooks.js has arrived yet or not
    cf_page.page.wait_for_function("window.early === true")
    cf_page.page.evaluate("cf.hooks.Late = { mounted() { window.late = this.el.tagName; } }")
    cf_page.page.wait_for_function("window.late === 'DIV'")
    assert cf_page.console_messages("error", "cf-hooks.js") == []


def test_a_script_that_cannot_load_is_one_error_naming_it_and_links_still_work(
    cf_page: ClientPage,
) -> None:
    cf_page.unserved.add("cf-navigate.js")
    cf_page.pages["/two"] = document(f'{NAV}<p id="where">Two</p>', features=())
    cf_page.open(f'{NAV}<p id="where">One</p>', features=())
    error = cf_page.wait_for_console("error", FAILED_NAVIGATE)
    assert "this page uses cf-navigate" in error and "/cf/cf-navigate.js failed" in error
    # The link still works: the browser loads the page.
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    assert not same_document(cf_page)


def test_the_navigate_effect_loads_the_page_when_its_script_cannot_load(
    cf_page: ClientPage,
) -> None:
    cf_page.unserved.add("cf-navigate.js")
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
    del sent  # its page is gone: the promise never settles there


def test_state_in_the_url_without_its_script_is_an_error_not_silence(cf_page: ClientPage) -> None:
    cf_page.unserved.add("cf-navigate.js")
    cf_page.open(component("list", "<p>Page 1</p>", url="history"), features=())
    error = cf_page.wait_for_console("error", FAILED_NAVIGATE)
    assert "uses data-cf-url" in error
    effect = {"type": "patch_url", "query": {"page": 2}}
    cf_page.morph("list", "<p>Page 2</p>", effects=[effect])
    # One error per missing script, not one per use.
    assert len(cf_page.console_messages("error", "needs cf-navigate.js")) == 1


def test_hooks_and_transitions_whose_scripts_cannot_load_say_so(cf_page: ClientPage) -> None:
    cf_page.unserved.update({"cf-hooks.js", "cf-transitions.js"})
    cf_page.open(component("c", '<div cf-hook="Chart"></div>'), features=("navigate",))
    assert "uses cf-hook" in cf_page.wait_for_console("error", "needs cf-hooks.js; loading")
    # Defining a hook is no TypeError without the script: it just does not run.
    cf_page.page.evaluate("cf.hooks.Chart = { mounted() { window.mounted = true; } }")
    assert cf_page.page.evaluate("window.mounted === undefined")
    cf_page.morph("c", '<p cf-transition="fade">Added</p>')
    cf_page.wait_for_console("error", "needs cf-transitions.js; loading")
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


def test_a_scan_of_many_roots_starts_each_then_sweeps_once(cf_page: ClientPage) -> None:
    cf_page.open('<div id="later"></div>')
    roots = "".join(component(name, "<p data-stamp>x</p>") for name in ("x", "y", "z"))
    cf_page.page.evaluate(
        """(roots) => {
      window.seen = [];
      cf.extend("sweeps", () => ({
        selector: "[data-stamp]",
        rendered: (root) => window.seen.push("started " + root.getAttribute("data-cf-id")),
        swept: () => window.seen.push("swept"),
      }));
      const later = document.getElementById("later");
      later.innerHTML = roots;
      cf.scan(later);
    }""",
        roots,
    )
    # A sweep looks at every element an extension holds: once per scan, not once per root
    # (a page of 500 hooked components swept 500 x 500 times as it started).
    assert cf_page.page.evaluate("window.seen") == ["started x", "started y", "started z", "swept"]
