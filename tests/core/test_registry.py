"""ComponentRegistry: registration, lookup, close-match hints."""

from __future__ import annotations

import pytest

from component_framework.core import Component, ComponentRegistry, registry
from component_framework.core.exceptions import ComponentNotFoundError


class Counter(Component):
    pass


class OtherCounter(Component):
    pass


def test_register_returns_the_class_and_get_finds_it(fresh_registry: ComponentRegistry) -> None:
    assert fresh_registry.register("counter")(Counter) is Counter
    assert fresh_registry.get("counter") is Counter
    assert fresh_registry["counter"] is Counter
    assert fresh_registry.list() == ["counter"]


def test_registering_the_same_class_again_is_a_no_op(fresh_registry: ComponentRegistry) -> None:
    fresh_registry.register("counter")(Counter)
    assert fresh_registry.register("counter")(Counter) is Counter
    assert fresh_registry.list() == ["counter"]


def test_another_class_under_a_taken_name_is_refused(fresh_registry: ComponentRegistry) -> None:
    fresh_registry.register("counter")(Counter)
    with pytest.raises(ValueError) as info:
        fresh_registry.register("counter")(OtherCounter)
    assert (
        str(info.value) == "Component 'counter' already registered by a different class ('Counter')"
    )
    assert fresh_registry.get("counter") is Counter


def test_missing_names(fresh_registry: ComponentRegistry) -> None:
    assert fresh_registry.get("nope") is None
    with pytest.raises(KeyError):
        fresh_registry["nope"]


def test_list_keeps_registration_order(fresh_registry: ComponentRegistry) -> None:
    fresh_registry.register("b")(Counter)
    fresh_registry.register("a")(OtherCounter)
    assert fresh_registry.list() == ["b", "a"]
    assert fresh_registry.items() == [("b", Counter), ("a", OtherCounter)]
    assert list(fresh_registry) == ["b", "a"]
    assert len(fresh_registry) == 2
    assert "a" in fresh_registry
    assert "c" not in fresh_registry
    assert repr(fresh_registry) == "<ComponentRegistry ['a', 'b']>"


def test_name_of_and_unregister(fresh_registry: ComponentRegistry) -> None:
    fresh_registry.register("counter")(Counter)
    assert fresh_registry.name_of(Counter) == "counter"
    assert fresh_registry.name_of(OtherCounter) is None
    assert fresh_registry.unregister("counter") is Counter
    assert fresh_registry.unregister("counter") is None
    assert fresh_registry.list() == []


def test_resolve_names_close_matches(fresh_registry: ComponentRegistry) -> None:
    fresh_registry.register("counter")(Counter)
    fresh_registry.register("todo_list")(OtherCounter)
    assert fresh_registry.resolve("counter") is Counter
    with pytest.raises(ComponentNotFoundError) as info:
        fresh_registry.resolve("countr")
    assert str(info.value) == "Component 'countr' not found. Did you mean 'counter'?"
    assert info.value.code == "unknown_component"
    assert info.value.status == 404


def test_resolve_lists_the_registered_names_when_nothing_is_close(
    fresh_registry: ComponentRegistry,
) -> None:
    fresh_registry.register("counter")(Counter)
    fresh_registry.register("alpha")(OtherCounter)
    with pytest.raises(ComponentNotFoundError) as info:
        fresh_registry.resolve("zzz")
    assert str(info.value) == "Component 'zzz' not found. Registered: alpha, counter."


def test_resolve_on_an_empty_registry(fresh_registry: ComponentRegistry) -> None:
    with pytest.raises(ComponentNotFoundError) as info:
        fresh_registry.resolve("counter")
    assert str(info.value) == "Component 'counter' not found. No components are registered."


def test_the_global_registry_is_a_component_registry() -> None:
    assert isinstance(registry, ComponentRegistry)


def test_describe_names_kind_template_events_permissions_and_slots(
    fresh_registry: ComponentRegistry,
) -> None:
    from component_framework.core import FormComponent, IsAuthenticated, StreamingComponent
    from component_framework.core.registry import component_kind

    @fresh_registry.register("card")
    class Card(Component):
        template_name = "card.html"
        permission_classes = [IsAuthenticated]
        slots = ["header"]

        def on_follow(self) -> None: ...

        def on_unfollow(self) -> None: ...

    assert fresh_registry.describe("card") == {
        "name": "card",
        "class": f"{__name__}.test_describe_names_kind_template_events_permissions_and_slots"
        ".<locals>.Card",
        "kind": "basic",
        "template": "card.html",
        "events": ["follow", "unfollow"],
        "permissions": ["IsAuthenticated"],
        "slots": ["header"],
    }
    assert component_kind(FormComponent) == "form"
    assert component_kind(StreamingComponent) == "streaming"
    with pytest.raises(ComponentNotFoundError, match="Component 'cart' not found"):
        fresh_registry.describe("cart")
