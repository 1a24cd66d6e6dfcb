"""ComponentTester and the server side of issue 22: effects (browser events, emitted events),
two-way binding, and the loading states a template declares."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar

import pytest

from component_framework.core import Component, ComponentRegistry, StreamingComponent
from component_framework.core.exceptions import EffectError, InvalidPayloadError
from component_framework.core.jinja import JinjaRenderer
from component_framework.testing import ComponentTester

Templates = Callable[..., JinjaRenderer]

TEMPLATES = {
    "product.html": (
        "<button cf-click='add'>Add</button><button cf-click='remove'>Remove</button>"
        '<span cf-loading cf-loading-for="add, remove" hidden>Saving</span>'
        "<i cf-loading-for='add'></i>"
    ),
    "cart.html": "<p>{{ state.count }} items</p>",
    "typo.html": '<span cf-loading cf-loading-for="ad">...</span>',
    "steps.html": "<p>{{ state.step }}</p>",
    "search.html": "<input cf-model.debounce.300='query' value='{{ state.query }}'>",
}


@pytest.fixture
def registry(fresh_registry: ComponentRegistry, templates: Templates) -> ComponentRegistry:
    templates(**TEMPLATES)

    @fresh_registry.register("product")
    class Product(Component):
        template_name = "product.html"

        def on_add(self) -> None:
            self.emit("item_added", {"product": "tea"}, to="cart")
            self.emit("product_added", {"product": "tea"}, parent=True)
            self.dispatch_browser_event("product:added", {"product": "tea"})

        def on_remove(self) -> None: ...

    @fresh_registry.register("cart")
    class Cart(Component):
        template_name = "cart.html"

        def mount(self) -> None:
            super().mount()
            self.state["count"] = 0

        def on_item_added(self, product: str) -> None:
            self.state["count"] += 1

    @fresh_registry.register("typo")
    class Typo(Component):
        template_name = "typo.html"

        def on_add(self) -> None: ...

    @fresh_registry.register("steps")
    class Steps(StreamingComponent):
        template_name = "steps.html"

        async def on_run(self) -> AsyncIterator[None]:
            self.state["step"] = 1
            self.dispatch_browser_event("steps:progress", 1)
            yield
            self.state["step"] = 2
            self.dispatch_browser_event("steps:progress", 2)

    @fresh_registry.register("search")
    class Search(Component):
        template_name = "search.html"
        bindable: ClassVar[dict[str, Any]] = {"query": str}

        def mount(self) -> None:
            super().mount()
            self.state["query"] = ""

    return fresh_registry


def test_effects_and_their_assertions(registry: ComponentRegistry) -> None:
    tester = ComponentTester("product", registry=registry).assert_no_effects()
    tester.call("add")
    assert [effect["type"] for effect in tester.effects] == ["emit", "emit", "browser_event"]
    assert tester.browser_events == [("product:added", {"product": "tea"})]
    assert tester.emitted == [
        {"event": "item_added", "payload": {"product": "tea"}, "to": "cart"},
        {"event": "product_added", "payload": {"product": "tea"}, "parent": True},
    ]
    (
        tester.assert_emitted("item_added", {"product": "tea"}, to="cart")
        .assert_emitted("product_added", parent=True)
        .assert_browser_event("product:added", {"product": "tea"})
        .assert_browser_event("product:added")
    )
    tester.call("remove").assert_no_effects()


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda t: t.assert_emitted("item_removed"), "'item_removed' was not emitted"),
        (lambda t: t.assert_emitted("item_added", to="wishlist"), "not with {'to': 'wishlist'}"),
        (lambda t: t.assert_browser_event("product:gone"), "no browser event 'product:gone'"),
        (lambda t: t.assert_browser_event("product:added", 1), "had detail"),
        (lambda t: t.assert_no_effects(), "unexpected effects"),
    ],
)
def test_failed_effect_assertions_say_what_there_was(
    registry: ComponentRegistry, check: Callable[[ComponentTester], Any], message: str
) -> None:
    tester = ComponentTester("product", registry=registry).call("add")
    with pytest.raises(AssertionError, match=message):
        check(tester)


def test_an_emit_the_app_cannot_deliver_fails_the_call(registry: ComponentRegistry) -> None:
    registry.unregister("cart")
    with pytest.raises(EffectError, match="'cart', which is not a registered component"):
        ComponentTester("product", registry=registry).call("add")


def test_a_stream_gathers_the_effects_of_every_frame(registry: ComponentRegistry) -> None:
    tester = ComponentTester("steps", registry=registry)
    tester.stream("run")
    assert tester.browser_events == [("steps:progress", 1), ("steps:progress", 2)]


def test_loading_targets(registry: ComponentRegistry) -> None:
    tester = ComponentTester("product", registry=registry)
    assert tester.loading_targets == ["add", "remove"]
    tester.assert_loading_targets().assert_loading_targets("add", "remove")
    with pytest.raises(AssertionError, match=r"expected \['add'\]"):
        tester.assert_loading_targets("add")
    typo = ComponentTester("typo", registry=registry)
    with pytest.raises(AssertionError, match=r"cf-loading-for names \['ad'\], not events of typo"):
        typo.assert_loading_targets()


def test_set_binds_any_component_with_its_declared_keys(registry: ComponentRegistry) -> None:
    tester = ComponentTester("search", registry=registry)
    tester.set("query", "tea").assert_set("query", "tea")
    with pytest.raises(InvalidPayloadError, match="'secret' is not bindable on Search"):
        tester.set("secret", "x")
