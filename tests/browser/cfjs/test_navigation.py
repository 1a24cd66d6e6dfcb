"""Live navigation: cf-navigate links, GET forms and the server's navigate effect fetch the next
page and morph the body into it, without a page load; anything cf.js cannot swap safely
(another cf.js, other tracked head elements, a failed fetch) is loaded normally.

A page load is told from a swap by a property set on ``window`` before: a load loses it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component, document

pytestmark = pytest.mark.browser

NAV = '<nav cf-navigate><a href="/">One</a> <a href="/two">Two</a> <a href="/three">Three</a></nav>'


def two_pages(cf_page: ClientPage, two: str = "", *, head: str = "") -> ClientPage:
    cf_page.pages["/two"] = document(
        f'{NAV}<main><p id="where">Page two</p>{two}</main>', title="Two", head=head
    )
    cf_page.open(f'{NAV}<main><p id="where">Page one</p></main>')
    cf_page.page.evaluate("window.sameDocument = true")
    return cf_page


def same_document(cf_page: ClientPage) -> bool:
    return bool(cf_page.page.evaluate("window.sameDocument === true"))


def test_a_cf_navigate_link_swaps_the_body_title_and_address(cf_page: ClientPage) -> None:
    two_pages(cf_page)
    cf_page.mark("nav")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert cf_page.page.url.endswith("/two")
    assert cf_page.page.title() == "Two"
    assert same_document(cf_page)
    assert cf_page.marks("nav") == [0]  # the body was morphed: the same nav element


def test_back_and_forward_move_between_the_pages(cf_page: ClientPage) -> None:
    two_pages(cf_page)
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    cf_page.page.go_back()
    expect(cf_page.page.locator("#where")).to_have_text("Page one")
    assert cf_page.page.title() == "cf.js"
    cf_page.page.go_forward()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert same_document(cf_page)


def test_an_element_marked_cf_persist_keeps_its_state_across_pages(cf_page: ClientPage) -> None:
    notes = '<textarea id="notes" cf-persist></textarea>'
    cf_page.pages["/two"] = document(f"{NAV}<main><p id='where'>Two</p><div>{notes}</div></main>")
    cf_page.open(f"{NAV}<main><p id='where'>One</p>{notes}</main>")
    cf_page.page.locator("#notes").fill("typed on page one")
    cf_page.mark("#notes")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Two")
    # Kept whole, though the next page has it in another parent.
    assert cf_page.marks("#notes") == [0]
    expect(cf_page.page.locator("#notes")).to_have_value("typed on page one")


def test_new_scripts_run_once_and_the_head_follows(cf_page: ClientPage) -> None:
    script = "<script>window.ran = (window.ran || 0) + 1</script>"
    head = '<meta name="description" content="The second page">'
    two_pages(cf_page, script, head=head)
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert cf_page.page.evaluate("window.ran") == 1
    description = cf_page.page.locator('meta[name="description"]')
    expect(description).to_have_attribute("content", "The second page")


@pytest.mark.parametrize(
    "difference",
    [
        pytest.param({"script": 'data-v="2" src="/cf/cf.js?v=2"'}, id="another cf.js"),
        pytest.param(
            {"head": '<link rel="stylesheet" href="/new.css" data-cf-track>'}, id="tracked"
        ),
        pytest.param({"head": '<meta name="cf-navigate" content="reload">'}, id="reload meta"),
    ],
)
def test_a_page_that_is_not_compatible_is_loaded_normally(
    cf_page: ClientPage, difference: dict[str, str]
) -> None:
    body = f'{NAV}<main><p id="where">Page two</p></main>'
    page = document(body, head=difference.get("head", ""))
    if "script" in difference:
        page = page.replace('src="/cf/cf.js" ', difference["script"] + " ")
    cf_page.pages["/two"] = page
    cf_page.open(f'{NAV}<main><p id="where">Page one</p></main>')
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert not same_document(cf_page)
    assert cf_page.page.url.endswith("/two")


def test_a_failed_fetch_loads_the_page_normally(cf_page: ClientPage) -> None:
    two_pages(cf_page)
    # Not HTML: a live navigation cannot show it; the browser loads it as it would.
    cf_page.page.route("**/data.json", lambda route: route.fulfill(json={"a": 1}))
    cf_page.page.evaluate(
        "() => { const a = document.createElement('a'); a.href = '/data.json'; a.id = 'j';"
        " a.textContent = 'Data'; document.querySelector('nav').append(a); }"
    )
    cf_page.page.get_by_role("link", name="Data").click()
    cf_page.page.wait_for_url("**/data.json")
    expect(cf_page.page.locator("body")).to_contain_text('"a"')


def test_cf_navigate_false_and_other_targets_are_left_to_the_browser(cf_page: ClientPage) -> None:
    cf_page.pages["/two"] = document('<p id="where">Page two</p>')
    cf_page.open('<div cf-navigate><a href="/two" cf-navigate="false">Two</a></div>')
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert not same_document(cf_page)


def test_a_slow_page_shows_a_progress_bar_until_it_arrives(cf_page: ClientPage) -> None:
    two_pages(cf_page)
    cf_page.held_pages.add("/two")
    cf_page.page.get_by_role("link", name="Two").click()
    bar = cf_page.page.get_by_role("progressbar", name="Loading the page")
    expect(bar).to_be_attached()
    cf_page._wait_until(lambda: bool(cf_page.page_requests), "page request")
    route = cf_page.page_requests.pop()
    route.fulfill(body=cf_page.pages["/two"], content_type="text/html")
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    expect(bar).to_have_count(0)


def test_scroll_is_at_the_top_on_a_new_page_and_restored_on_back(cf_page: ClientPage) -> None:
    tall = '<div style="height: 5000px"></div>'
    cf_page.pages["/two"] = document(f'{NAV}<main><p id="where">Page two</p>{tall}</main>')
    cf_page.open(f'{NAV}<main><p id="where">Page one</p>{tall}</main>')
    cf_page.page.evaluate("window.scrollTo(0, 1200)")
    cf_page.page.evaluate("() => document.querySelector('a[href=\"/two\"]').click()")
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert cf_page.page.evaluate("window.scrollY") == 0
    cf_page.page.evaluate("window.scrollTo(0, 300)")
    cf_page.page.go_back()
    expect(cf_page.page.locator("#where")).to_have_text("Page one")
    cf_page.page.wait_for_function("window.scrollY === 1200")
    cf_page.page.go_forward()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    cf_page.page.wait_for_function("window.scrollY === 300")


def test_prefetch_on_hover_serves_the_click(cf_page: ClientPage) -> None:
    cf_page.pages["/two"] = document('<p id="where">Page two</p>')
    cf_page.open('<nav cf-navigate cf-prefetch><a href="/two">Two</a></nav>')
    cf_page.page.get_by_role("link", name="Two").hover()
    cf_page._wait_until(lambda: "/two" in cf_page.page_requests_seen, "prefetch")
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert cf_page.page_requests_seen.count("/two") == 1  # the click used the prefetched page


def test_a_get_form_marked_cf_navigate_goes_live(cf_page: ClientPage) -> None:
    cf_page.pages["/search"] = document('<p id="where">Results</p>')
    cf_page.open(
        '<form action="/search" cf-navigate><input name="q" aria-label="Search">'
        "<button>Go</button></form>"
    )
    cf_page.page.evaluate("window.sameDocument = true")
    cf_page.page.get_by_label("Search").fill("lamp & shade")
    cf_page.page.get_by_role("button", name="Go").click()
    expect(cf_page.page.locator("#where")).to_have_text("Results")
    assert cf_page.page.url.endswith("/search?q=lamp+%26+shade")
    assert same_document(cf_page)


def test_the_navigate_effect_goes_live_and_redirect_loads(cf_page: ClientPage) -> None:
    cf_page.pages["/two"] = document('<p id="where">Page two</p>')
    cf_page.pages["/three"] = document('<p id="where">Page three</p>')
    cf_page.open(component("c", "<p>C</p>"))
    cf_page.page.evaluate("window.sameDocument = true")
    sent = cf_page.send("c")
    cf_page.next_request().render("<p>C</p>", effects=[{"type": "navigate", "url": "/two"}])
    cf_page.settled(sent)
    expect(cf_page.page.locator("#where")).to_have_text("Page two")
    assert same_document(cf_page)
    cf_page.page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', "
        '\'<div data-cf-component="d" data-cf-id="d" data-cf-state="{}" '
        'data-cf-checksum="x" data-cf-endpoint="/cf"></div>\')'
    )
    cf_page.page.evaluate("cf.scan()")
    sent = cf_page.send("d")
    cf_page.next_request().render("", effects=[{"type": "redirect", "url": "/three"}])
    expect(cf_page.page.locator("#where")).to_have_text("Page three")
    assert not same_document(cf_page)


def test_components_of_the_next_page_come_alive(cf_page: ClientPage) -> None:
    cf_page.pages["/two"] = document(NAV + component("c2", "<button cf-click='go'>Go</button>"))
    cf_page.open(NAV + component("c1", "<p>one</p>"))
    cf_page.page.get_by_role("link", name="Two").click()
    expect(cf_page.page.locator('[data-cf-id="c2"][data-cf-ready]')).to_be_attached()
    cf_page.page.get_by_role("button", name="Go").click()
    request = cf_page.next_request()
    assert request.message["component_id"] == "c2"
    assert request.message["event"] == "go"
    request.render("<p>went</p>")
    expect(cf_page.page.locator('[data-cf-id="c2"]')).to_have_text("went")


def test_a_navigation_can_be_cancelled(cf_page: ClientPage) -> None:
    two_pages(cf_page)
    cf_page.page.evaluate(
        "document.addEventListener('cf:navigate', (e) => { window.asked = e.detail.url;"
        " e.preventDefault(); })"
    )
    cf_page.page.get_by_role("link", name="Two").click()
    cf_page.page.wait_for_function("window.asked !== undefined")
    assert cf_page.page.evaluate("window.asked").endswith("/two")
    expect(cf_page.page.locator("#where")).to_have_text("Page one")


def test_navigation_to_a_script_address_is_refused(cf_page: ClientPage) -> None:
    cf_page.open(f'{NAV}<main><p id="where">Page one</p></main>')
    went = cf_page.page.evaluate("cf.navigate('javascript:window.pwned = 1')")
    assert went is False
    assert cf_page.page.evaluate("window.pwned === undefined")
    cf_page.wait_for_console("error", "refused: not a web address")
