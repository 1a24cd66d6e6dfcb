"""Two-way binding on any component: ``cf-model="key"`` sends ``field_change``, which sets a
state key the class declares in ``bindable``, its value checked against the declared type
before any component code runs. A class that binds nothing refuses it and does not list it.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import pytest
from pydantic import BaseModel, Field

from component_framework.core import Component, ComponentRegistry, FormComponent
from component_framework.core import exceptions as exc
from component_framework.core._events import list_events
from component_framework.core.protocol import (
    dispatch_message_sync,
    render_component,
    signed_message,
)

from ._support import Ledger, Plain


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
def registry(fresh_registry: ComponentRegistry, ledger: Ledger) -> ComponentRegistry:
    @fresh_registry.register("search")
    class Search(Component):
        renderer = Plain()
        template_name = "search.html"
        bindable: ClassVar[dict[str, Any]] = {
            "query": str,
            "limit": Annotated[int, Field(ge=1, le=20)],
        }

        def __init__(self, **params: Any) -> None:
            ledger.note("init")
            super().__init__(**params)

        def mount(self) -> None:
            super().mount()
            self.state.update(query="", limit=5)

    @fresh_registry.register("counter")
    class Counter(Component):
        renderer = Plain()
        template_name = "counter.html"

        def on_increment(self) -> None: ...

    return fresh_registry


def field_change(registry: ComponentRegistry, name: str, field: str, value: Any) -> dict[str, Any]:
    first = render_component(name, registry=registry)
    payload = {"field": field, "value": value}
    message = signed_message(
        name, "field_change", payload, component_id=first["component_id"], registry=registry
    )
    message["state"], message["checksum"] = first["state"], first["checksum"]
    return dispatch_message_sync(message, registry=registry)


def test_a_bound_key_is_set_with_its_declared_type(registry: ComponentRegistry) -> None:
    reply = field_change(registry, "search", "limit", "12")  # an <input> sends text
    assert '"limit":12' in reply["state"]
    reply = field_change(registry, "search", "query", "Lyon")
    assert '"query":"Lyon"' in reply["state"]


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("limit", "many", r"field_change: limit: Input should be a valid integer"),
        ("limit", 50, r"limit: Input should be less than or equal to 20"),
        ("query", {"$ne": 1}, r"query: Input should be a valid string"),
        (
            "admin",
            True,
            r"'admin' is not bindable on Search; bindable keys are \['limit', 'query'\]",
        ),
    ],
)
def test_what_the_declaration_refuses_runs_no_component_code(
    registry: ComponentRegistry, ledger: Ledger, field: str, value: Any, match: str
) -> None:
    first = render_component("search", registry=registry)
    ledger.calls.clear()
    message = signed_message(
        "search",
        "field_change",
        {"field": field, "value": value},
        component_id=first["component_id"],
        registry=registry,
    )
    message["state"], message["checksum"] = first["state"], first["checksum"]
    with pytest.raises(exc.InvalidPayloadError, match=match):
        dispatch_message_sync(message, registry=registry)
    assert ledger.calls == []


def test_a_component_that_binds_nothing_refuses_field_change(registry: ComponentRegistry) -> None:
    with pytest.raises(exc.InvalidPayloadError, match="Counter binds no state key; declare"):
        field_change(registry, "counter", "count", 1_000_000)


def test_field_change_is_listed_only_where_something_is_bound(registry: ComponentRegistry) -> None:
    assert list_events(registry["counter"]) == ["increment"]
    assert list_events(registry["search"]) == ["field_change"]


def test_an_override_that_reacts_to_a_binding_is_checked_like_the_built_in(
    fresh_registry: ComponentRegistry, ledger: Ledger
) -> None:
    @fresh_registry.register("city")
    class City(Component):
        renderer = Plain()
        template_name = "city.html"
        bindable: ClassVar[dict[str, Any]] = {"query": Annotated[str, Field(max_length=10)]}

        def mount(self) -> None:
            super().mount()
            self.state.update(query="", admin=False)

        def on_field_change(self, field: str, value: Any) -> None:
            ledger.note("on_field_change")
            super().on_field_change(field, value)
            self.state["query"] = self.state["query"].strip().lower()

    reply = field_change(fresh_registry, "city", "query", " Lyon ")
    assert '"query":"lyon"' in reply["state"]
    ledger.calls.clear()
    with pytest.raises(exc.InvalidPayloadError, match="'admin' is not bindable on City"):
        field_change(fresh_registry, "city", "admin", True)
    with pytest.raises(exc.InvalidPayloadError, match="query: String should have at most 10"):
        field_change(fresh_registry, "city", "query", "x" * 11)
    assert ledger.calls == []  # refused before the override ran


def test_an_override_that_binds_nothing_cannot_set_state_through_super() -> None:
    class Notes(Component):
        renderer = Plain()
        template_name = "notes.html"

        def on_field_change(self, field: str, value: Any) -> None:
            super().on_field_change(field, value)

    with pytest.raises(exc.InvalidPayloadError, match="Notes binds no state key"):
        Notes().dispatch("field_change", {"field": "admin", "value": True}, {"admin": False})


def test_forms_keep_their_own_field_change() -> None:
    class Signup(BaseModel):
        name: str

    class Form(FormComponent):
        schema = Signup
        renderer = Plain()
        template_name = "form.html"

    result = Form().dispatch("field_change", {"field": "name", "value": "Ada"}, {"form_data": {}})
    assert result["state"]["form_data"] == {"name": "Ada"}
    assert "field_change" in list_events(Form)
