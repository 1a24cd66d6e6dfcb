"""State in the URL, in the browser: the patch_url effect moves the address bar (a new history
entry, or the same one rewritten), and back and forward bring a component's state back from
the history entry with no request, or render it from the URL when the entry's state cannot be
used (another release signed it, or the state is held on the server).
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser


def patch(query: dict[str, object], history: str = "push", url: str | None = None) -> dict:
    return {"type": "patch_url", "url": url, "query": query, "history": history}


def list_page(cf_page: ClientPage, *, url: str = "history", checksum: str = "1:aaa") -> None:
    root = component("list", "<p>Page 1</p>", state={"page": 1}, url=url, checksum=checksum)
    cf_page.open(root)


def turn(cf_page: ClientPage, page: int, **fields: object) -> None:
    sent = cf_page.send("list", "page", {"page": page})
    reply = {"state": {"page": page}, "effects": [patch({"page": str(page)})], **fields}
    reply.setdefault("checksum", f"1:{page}")  # signed by the release that signed the page
    cf_page.next_request().render(f"<p>Page {page}</p>", **reply)
    cf_page.settled(sent)


def history_length(cf_page: ClientPage) -> int:
    length: int = cf_page.page.evaluate("history.length")
    return length


def test_patch_url_pushes_an_entry_and_keeps_the_other_parameters(cf_page: ClientPage) -> None:
    cf_page.pages["/list"] = ""
    list_page(cf_page)
    cf_page.page.evaluate("history.replaceState(history.state, '', '/?utm=mail&q=lamp')")
    before = history_length(cf_page)
    sent = cf_page.send("list", "page", {"page": 2})
    effects = [patch({"page": "2", "q": None, "tag": ["a", "b c"]})]
    cf_page.next_request().render("<p>Page 2</p>", effects=effects)
    cf_page.settled(sent)
    assert cf_page.page.url.endswith("/?utm=mail&page=2&tag=a&tag=b+c")
    assert history_length(cf_page) == before + 1


def test_patch_url_with_replace_rewrites_the_entry(cf_page: ClientPage) -> None:
    list_page(cf_page)
    before = history_length(cf_page)
    sent = cf_page.send("list", "search", {"value": "oak"})
    cf_page.next_request().render("<p>Oak</p>", effects=[patch({"q": "oak"}, "replace")])
    cf_page.settled(sent)
    assert cf_page.page.url.endswith("/?q=oak")
    assert history_length(cf_page) == before


def test_patch_url_to_another_path_and_never_another_site(cf_page: ClientPage) -> None:
    list_page(cf_page)
    sent = cf_page.send("list")
    cf_page.next_request().render("<p>x</p>", effects=[patch({}, url="/products/3?tab=2")])
    cf_page.settled(sent)
    assert cf_page.page.url == "http://cf.test/products/3?tab=2"
    sent = cf_page.send("list")
    cf_page.next_request().render("<p>x</p>", effects=[patch({}, url="https://evil.example/")])
    cf_page.settled(sent)
    assert cf_page.page.url == "http://cf.test/products/3?tab=2"
    errors = [text for kind, text in cf_page.console if kind == "error"]
    assert any("evil.example" in text and "another site" in text for text in errors)


def test_back_and_forward_restore_from_the_entry_without_a_request(cf_page: ClientPage) -> None:
    list_page(cf_page)
    turn(cf_page, 2)
    turn(cf_page, 3)
    root = cf_page.page.locator('[data-cf-id="list"]')
    cf_page.page.go_back()
    expect(root).to_have_text("Page 2")
    assert cf_page.page.url.endswith("/?page=2")
    assert json.loads(root.get_attribute("data-cf-state") or "") == {"page": 2}
    cf_page.page.go_back()
    expect(root).to_have_text("Page 1")
    assert json.loads(root.get_attribute("data-cf-state") or "") == {"page": 1}
    cf_page.page.go_forward()
    expect(root).to_have_text("Page 2")
    # The next event goes from the restored state.
    sent = cf_page.send("list", "page", {"page": 5})
    request = cf_page.next_request()
    assert json.loads(request.message["state"]) == {"page": 2}
    assert "url" not in request.message
    request.render("<p>Page 5</p>")
    cf_page.settled(sent)
    assert cf_page.requests == []  # and nothing was sent for back and forward


def test_an_entry_signed_by_another_release_renders_from_the_url(cf_page: ClientPage) -> None:
    list_page(cf_page, checksum="1:aaa")
    turn(cf_page, 2, checksum="2:bbb")  # a deploy between the two renders
    cf_page.page.go_back()
    request = cf_page.next_request()
    assert request.message["event"] is None
    assert request.message["url"] == ""  # the entry's query string: page 1 has none
    assert json.loads(request.message["state"]) == {"page": 2}  # what the page holds now
    request.render("<p>Page 1 again</p>", state={"page": 1}, checksum="2:ccc")
    expect(cf_page.page.locator('[data-cf-id="list"]')).to_have_text("Page 1 again")


def test_server_held_state_renders_from_the_url(cf_page: ClientPage) -> None:
    list_page(cf_page, url="server")
    turn(cf_page, 2)
    turn(cf_page, 3)
    cf_page.page.go_back()
    request = cf_page.next_request()
    assert request.message["url"] == "?page=2"
    request.render("<p>Page 2 from the server</p>")
    expect(cf_page.page.locator('[data-cf-id="list"]')).to_have_text("Page 2 from the server")


def test_a_component_without_url_state_is_left_alone_by_back(cf_page: ClientPage) -> None:
    other = component("counter", "<p>0</p>", state={"n": 0})
    cf_page.open(component("list", "<p>Page 1</p>", url="history", checksum="1:a") + other)
    turn(cf_page, 2)
    cf_page.morph("counter", "<p>7</p>", state={"n": 7})
    cf_page.page.go_back()
    expect(cf_page.page.locator('[data-cf-id="list"]')).to_have_text("Page 1")
    expect(cf_page.page.locator('[data-cf-id="counter"]')).to_have_text("7")
