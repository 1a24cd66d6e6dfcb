"""Flash messages in the browser: the flash effect shows a message in the page's region (a
polite live region), as text; its button dismisses it; before a redirect or a navigation the
signed messages travel to the next page in the cf_flash cookie, which that page's cf.js
deletes once shown.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component, document

pytestmark = pytest.mark.browser

REGION = '<div id="cf-flash" class="cf-flash" data-cf-flash role="status" aria-live="polite"></div>'


def flash(text: str, level: str = "success") -> dict[str, str]:
    return {"type": "flash", "level": level, "text": text}


def cookie(cf_page: ClientPage) -> str | None:
    found = [c["value"] for c in cf_page.context.cookies() if c["name"] == "cf_flash"]
    return found[0] if found else None


def test_a_flash_shows_in_the_region_as_text_and_can_be_dismissed(cf_page: ClientPage) -> None:
    cf_page.open(REGION + component("c", "<p>C</p>"))
    markup = '<img src=x onerror="window.hacked=1">Saved'
    cf_page.morph("c", "<p>C</p>", effects=[flash(markup), flash("Careful", "warning")])
    region = cf_page.page.get_by_role("status")
    expect(region.locator("[data-level]")).to_have_count(2)
    expect(region.locator('[data-level="success"]')).to_contain_text(markup)  # text, not HTML
    expect(region.locator("img")).to_have_count(0)
    assert cf_page.page.evaluate("window.hacked") is None
    region.locator('[data-level="success"]').get_by_role("button", name="Dismiss").click()
    expect(region.locator("[data-level]")).to_have_count(1)
    expect(region).to_contain_text("Careful")


def test_without_a_region_one_is_made_with_a_warning(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>C</p>"))
    cf_page.morph("c", "<p>C</p>", effects=[flash("Saved.")])
    expect(cf_page.page.get_by_role("status")).to_contain_text("Saved.")
    warnings = [text for kind, text in cf_page.console if kind == "warning"]
    assert any("cf_flash()" in text for text in warnings)


def test_flash_before_a_redirect_travels_in_the_cookie(cf_page: ClientPage) -> None:
    cf_page.pages["/next"] = document(REGION + '<p id="where">Next</p>')
    cf_page.open(REGION + component("c", "<p>C</p>"))
    sent = cf_page.send("c")
    effects = [flash("Saved."), {"type": "redirect", "url": "/next", "flash": "1.abc.def"}]
    with cf_page.page.expect_request("**/next") as loading:
        cf_page.next_request().render("<p>C</p>", effects=effects)
    assert loading.value.headers.get("cookie") == "cf_flash=1.abc.def"
    expect(cf_page.page.locator("#where")).to_have_text("Next")
    # The next page's cf.js deleted it: shown once.
    cf_page.page.wait_for_function("!document.cookie.includes('cf_flash')")
    assert cookie(cf_page) is None
    del sent


def test_flash_before_a_navigation_reaches_the_next_page_and_not_this_one(
    cf_page: ClientPage,
) -> None:
    cf_page.pages["/next"] = document(REGION + '<p id="where">Next</p>')
    cf_page.open(REGION + component("c", "<p>C</p>"))
    sent = cf_page.send("c")
    effects = [flash("Saved."), {"type": "navigate", "url": "/next", "flash": "1.abc.def"}]
    with cf_page.page.expect_request("**/next") as loading:
        cf_page.next_request().render("<p>C</p>", effects=effects)
    assert loading.value.headers.get("x-cf-navigate") == "1"
    assert "cf_flash=1.abc.def" in (loading.value.headers.get("cookie") or "")
    expect(cf_page.page.locator("#where")).to_have_text("Next")
    # The server of the next page shows it (it is not here: this harness serves the region
    # empty); the current page did not show it before leaving.
    expect(cf_page.page.get_by_role("status").locator("[data-level]")).to_have_count(0)
    cf_page.page.wait_for_function("!document.cookie.includes('cf_flash')")
    cf_page.settled(sent)


def test_messages_rendered_with_the_page_are_written_again_to_be_announced(
    cf_page: ClientPage,
) -> None:
    region = REGION.replace(
        "></div>",
        '><div data-level="success"><span class="cf-flash-text">Saved.</span>'
        '<button type="button" data-cf-dismiss aria-label="Dismiss">x</button></div></div>',
    )
    # Written again: the text goes, then comes back (the parser only ever adds it).
    cf_page.page.add_init_script(
        "window.changes = []; new MutationObserver((records) => { for (const r of records)"
        " if (r.target.classList && r.target.classList.contains('cf-flash-text'))"
        " window.changes.push(r.removedNodes.length ? 'out' : 'in'); })"
        ".observe(document, {subtree: true, childList: true});"
    )
    cf_page.open(region)
    cf_page.page.wait_for_function("window.changes.join() === 'in,out,in'")
    expect(cf_page.page.get_by_role("status")).to_contain_text("Saved.")
