"""A stream's container in cf.js: a morph keeps its items, the stream effects change them, a
remount replaces them; the rules for ids the page does not hold and for the limit."""

from __future__ import annotations

from typing import Any

import pytest

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

STALE = ("This page was rendered by an earlier version of the application.", "stale_state")


def items(inner: str = "") -> str:
    return f'<p>title</p><ul cf-stream="items">{inner}</ul>'


def li(key: str) -> str:
    return f'<li id="items-{key}">{key}</li>'


def insert(key: str, at: int = -1, limit: int | None = None) -> dict[str, Any]:
    effect = {"type": "stream", "stream": "items", "op": "insert", "id": f"items-{key}"}
    effect.update(html=li(key), at=at)
    return effect if limit is None else {**effect, "limit": limit}


def shown(cf_page: ClientPage) -> list[str]:
    texts: list[str] = cf_page.page.locator("[cf-stream] > li").all_inner_texts()
    return texts


def test_a_morph_keeps_the_items_and_effects_change_them(cf_page: ClientPage) -> None:
    cf_page.open(component("c", items(li("a") + li("b"))))
    cf_page.mark("li")
    cf_page.morph("c", items(), effects=[insert("c")])
    assert shown(cf_page) == ["a", "b", "c"]
    assert cf_page.marks("li") == [0, 1, None]  # the page's items are the same nodes
    cf_page.morph("c", items(), effects=[insert("z", at=0, limit=3)])  # drops from the end
    assert shown(cf_page) == ["z", "a", "b"]
    update = {"type": "stream", "stream": "items", "op": "update", "id": "items-a"}
    cf_page.morph("c", items(), effects=[{**update, "html": '<li id="items-a">A!</li>'}])
    assert shown(cf_page) == ["z", "A!", "b"]
    delete = {"type": "stream", "stream": "items", "op": "delete"}
    cf_page.morph("c", items(), effects=[{**delete, "id": "items-z"}, {**delete, "id": "items-q"}])
    assert shown(cf_page) == ["A!", "b"]
    reset = {"type": "stream", "stream": "items", "op": "reset"}
    cf_page.morph("c", items(), effects=[reset, insert("n")])
    assert shown(cf_page) == ["n"]


def test_ids_and_containers_the_page_does_not_hold(cf_page: ClientPage) -> None:
    cf_page.open(component("c", items(li("a"))))
    ghost = {"type": "stream", "stream": "items", "op": "update", "id": "items-x", "html": li("x")}
    other = {**insert("y"), "stream": "nowhere"}
    cf_page.morph("c", items(), effects=[ghost, other, insert("a")])
    assert shown(cf_page) == ["a"]  # an insert of an id it holds replaces it: no duplicate
    warnings = [text for kind, text in cf_page.console if kind == "warning"]
    assert any("has no item items-x on this page; its update was ignored" in w for w in warnings)
    assert any('no cf-stream="nowhere" element in c' in w for w in warnings)


def test_a_remount_replaces_the_items(cf_page: ClientPage) -> None:
    cf_page.open(component("c", items(li("a") + li("b")), mount={}))
    cf_page.send("c", "save")
    cf_page.next_request().refuse(*STALE)
    cf_page.next_request().render(items(li("fresh")))  # the remount's first render
    cf_page.page.wait_for_function("() => !document.querySelector('#items-a')")
    assert shown(cf_page) == ["fresh"]
