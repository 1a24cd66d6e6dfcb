"""A reply's effects: applied in order after its HTML, on every transport and on pushes.

``effects`` is a list of ``{"type": ..., ...}``; cf.js runs ``cf.effects[type](root, effect)``
for each, in order, once the reply's HTML and state are in place. An unknown type is ignored
with one console warning; an effect that fails does not stop the next. The types themselves
(redirect, browser_event, emit, ...) have their own tests; here a page script adds one, "note".
"""

from __future__ import annotations

import html
import json

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component

pytestmark = pytest.mark.browser

REGION = '<div id="cf-flash" class="cf-flash" data-cf-flash role="status" aria-live="polite"></div>'

NOTE = """() => {
  window.notes = [];
  cf.effects.note = (root, effect) => {
    window.notes.push({ text: effect.text, target: root.getAttribute("data-cf-id"),
                        html: root.querySelector("p").textContent });
  };
}"""


def note(text: str) -> dict[str, str]:
    return {"type": "note", "text": text}


def notes(cf_page: ClientPage) -> list[str]:
    return [n["text"] for n in cf_page.page.evaluate("window.notes")]


def test_effects_run_after_the_html_on_their_root(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>Old</p>"))
    cf_page.page.evaluate(NOTE)
    cf_page.morph("c", "<p>New</p>", effects=[note("hi")])
    assert cf_page.page.evaluate("window.notes") == [{"text": "hi", "target": "c", "html": "New"}]


def test_effects_run_in_order_and_an_unknown_type_is_skipped_with_a_warning(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("c", "<p>Old</p>"))
    cf_page.page.evaluate(NOTE)
    cf_page.morph("c", "<p>New</p>", effects=[note("1"), {"type": "teleport"}, note("2")])
    assert notes(cf_page) == ["1", "2"]
    warnings = [text for kind, text in cf_page.console if kind == "warning"]
    assert len([w for w in warnings if 'unknown type "teleport"' in w]) == 1


def test_a_failing_effect_does_not_stop_the_next(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>Old</p>"))
    cf_page.page.evaluate(NOTE)
    cf_page.page.evaluate("() => { cf.effects.boom = () => { throw new Error('boom'); }; }")
    cf_page.morph("c", "<p>New</p>", effects=[{"type": "boom"}, note("after")])
    assert notes(cf_page) == ["after"]
    errors = [text for kind, text in cf_page.console if kind == "error"]
    assert any("the boom effect failed" in text for text in errors)


def test_an_error_reply_runs_no_effects(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>Old</p>"))
    cf_page.page.evaluate(NOTE)
    sent = cf_page.send("c")
    error = {"type": "error", "error": "No.", "code": "permission_denied"}
    cf_page.next_request().answer({**error, "effects": [note("never")]}, 403)
    cf_page.settled(sent)
    assert notes(cf_page) == []


def test_effects_of_a_push_and_of_stream_frames_run(cf_page: ClientPage) -> None:
    body = component("live", "<p>Old</p>", live=True) + component("s", "<p>S</p>", stream=True)
    cf_page.open(body)
    cf_page.page.evaluate(NOTE)
    cf_page.next_socket_message()  # subscribe
    push = {
        "type": "component_update",
        "component_id": "live",
        "html": "<p>Pushed</p>",
        "effects": [note("pushed")],
    }
    cf_page.reply_on_socket(push)
    cf_page.page.wait_for_function("window.notes.length === 1")
    sent = cf_page.send("s")
    cf_page.next_request().render("<p>Frame</p>", effects=[note("frame")])
    cf_page.settled(sent)
    assert [(n["text"], n["html"]) for n in cf_page.page.evaluate("window.notes")] == [
        ("pushed", "Pushed"),
        ("frame", "Frame"),
    ]


def test_a_reply_without_effects_runs_none(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>Old</p>"))
    cf_page.page.evaluate(NOTE)
    cf_page.morph("c", "<p>New</p>")
    assert notes(cf_page) == []
    assert not [text for kind, text in cf_page.console if kind == "warning"]


def test_the_effects_of_a_first_render_run_once_the_root_is_started(cf_page: ClientPage) -> None:
    asked = [
        {"type": "browser_event", "name": "board:shown", "detail": {"n": 1}},
        {"type": "flash", "level": "info", "text": "Welcome <b>back</b>"},
    ]
    root = component("c", "<p>C</p>").replace(
        "<div ", f"<div data-cf-effects='{html.escape(json.dumps(asked), quote=False)}' ", 1
    )
    listen = (
        "<script>window.heard = []; document.addEventListener('board:shown', "
        "(e) => window.heard.push([e.target.getAttribute('data-cf-id'), e.detail]));</script>"
    )
    cf_page.open(REGION + root, head=listen)
    expect(cf_page.page.get_by_role("status")).to_contain_text("Welcome <b>back</b>")
    assert cf_page.page.evaluate("window.heard") == [["c", {"n": 1}]]
    assert cf_page.page.locator("[data-cf-effects]").count() == 0  # run once, not again


def asking(root: str, effects: list[dict[str, str]]) -> str:
    """*root* with the effects of its first render (``data-cf-effects``)."""
    asked = html.escape(json.dumps(effects), quote=False)
    return root.replace("<div ", f"<div data-cf-effects='{asked}' ", 1)


def test_nested_components_run_the_effects_of_the_render_the_page_keeps(
    cf_page: ClientPage,
) -> None:
    cf_page.open(component("p", "<p>P</p>" + component("kid", "<p>Kid</p>", id="k1")))
    cf_page.page.evaluate(NOTE)
    # The parent renders again: the server mounted its children anew, each with its first
    # render's effects. The page keeps the child it has (its HTML, its state, its id): the new
    # render of it is left out whole, effects included, or they would run again at every render
    # of the parent. A child the page did not have starts, and runs its own.
    kept = asking(component("kid", "<p>Kid again</p>", id="k2"), [note("kept")])
    added = asking(component("badge", "<p>Badge</p>", id="b1"), [note("added")])
    cf_page.morph("p", "<p>P2</p>" + kept + added)
    assert cf_page.page.evaluate("window.notes") == [
        {"text": "added", "target": "b1", "html": "Badge"}
    ]
    assert cf_page.html('[data-cf-component="kid"]').count("Kid again") == 0
