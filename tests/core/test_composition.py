"""compose() and SlotRenderer: filling slots and merging slot HTML into template contexts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from component_framework.core import Component, ComponentError, Renderer, SlotRenderer, compose
from component_framework.core.jinja import JinjaRenderer

Templates = Callable[..., JinjaRenderer]


class Card(Component):
    template_name = "card.html"
    slots = ["header", "body"]

    def mount(self) -> None:
        super().mount()
        self.state["title"] = self.params.get("title", "")


class Text(Component):
    template_name = "text.html"

    def mount(self) -> None:
        super().mount()
        self.state["text"] = self.params.get("text", "")


def test_compose_builds_the_parent_and_fills_its_slots(templates: Templates) -> None:
    templates(
        **{
            "card.html": "<section><h1>{{ state.title }}</h1>{{ slots.header }}"
            "<div>{{ slots.body }}</div></section>",
            "text.html": "<span>{{ state.text }}</span>",
        }
    )
    card = compose(
        Card,
        params={"title": "My Card", "component_id": "card-1"},
        header=Text(text="Hello"),
        body=Text(text="World"),
    )
    assert isinstance(card, Card)
    assert card.params == {"title": "My Card", "component_id": "card-1"}
    assert card.state == {}  # not yet dispatched
    result = card.dispatch()
    assert result == {
        "html": "<section><h1>My Card</h1><span>Hello</span><div><span>World</span></div>"
        "</section>",
        "state": {"title": "My Card"},
        "component_id": "card-1",
        "slots": {"header": "<span>Hello</span>", "body": "<span>World</span>"},
    }


def test_compose_forwards_keywords_that_are_not_components_to_the_parent(
    templates: Templates,
) -> None:
    # As the seed documents: Component values fill slots, everything else is a parameter.
    templates(**{"text.html": "<span>{{ state.text }}</span>"})
    card = compose(Card, params={"component_id": "card-2"}, title="Hi", header=Text(text="x"))
    assert card.params == {"component_id": "card-2", "title": "Hi"}
    assert card.render_slots() == {"header": "<span>x</span>"}
    card.mount()
    assert card.state == {"title": "Hi"}


def test_compose_without_params_or_slots() -> None:
    card = compose(Card)
    assert card.params == {}
    assert card.render_slots() == {}


def test_compose_refuses_an_unknown_slot() -> None:
    with pytest.raises(ComponentError) as info:
        compose(Card, footer=Text())
    assert str(info.value) == "Unknown slot 'footer'. Available: ['header', 'body']"


def test_merge_slot_context_returns_a_new_dict() -> None:
    context = {"state": {"a": 1}, "slots": {"old": "<i>old</i>"}}
    merged = SlotRenderer.merge_slot_context(context, {"main": "<b>x</b>"})
    assert merged == {"state": {"a": 1}, "slots": {"main": "<b>x</b>"}}
    assert merged is not context
    assert context == {"state": {"a": 1}, "slots": {"old": "<i>old</i>"}}


class EchoRenderer(SlotRenderer, Renderer):
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        self.seen.append((template_name, context))
        return f"{template_name}:{sorted(context['slots'].items())}"


def test_render_with_slots_merges_and_delegates_to_render() -> None:
    renderer = EchoRenderer()
    html = renderer.render_with_slots("page.html", {"state": {}}, {"main": "<b>x</b>"})
    assert html == "page.html:[('main', '<b>x</b>')]"
    assert renderer.seen == [("page.html", {"state": {}, "slots": {"main": "<b>x</b>"}})]


def test_render_with_slots_without_a_render_method_says_how_to_fix_it() -> None:
    class Lonely(SlotRenderer):
        pass

    with pytest.raises(TypeError, match=r"^Lonely uses SlotRenderer without a render\(\) method"):
        Lonely().render_with_slots("x.html", {}, {})


def test_jinja_render_with_slots_does_not_escape_slot_html(templates: Templates) -> None:
    renderer = templates(**{"page.html": "<main>{{ slots.main }}</main>"})
    assert renderer.render_with_slots("page.html", {}, {"main": "<b>x</b>"}) == (
        "<main><b>x</b></main>"
    )


def test_unmounted_children_are_mounted_before_rendering(templates: Templates) -> None:
    templates(**{"text.html": "<span>{{ state.text }}</span>"})
    parent = Component()
    child = Text(text="hi")
    parent.fill_slot("x", child)
    assert parent.render_slots() == {"x": "<span>hi</span>"}
    assert child.state == {"text": "hi"}


def test_refilling_a_slot_renders_the_new_child(templates: Templates) -> None:
    templates(**{"text.html": "<span>{{ state.text }}</span>"})
    parent = Component()
    parent.fill_slot("x", Text(text="a"))
    assert parent.render_slots() == {"x": "<span>a</span>"}
    parent.fill_slot("x", Text(text="b"))
    assert parent.render_slots() == {"x": "<span>b</span>"}
