"""What the playground learns from a component class: kind, events, typed inputs."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from component_framework.core import Component, FormComponent, StreamingComponent
from component_framework.devserver._inspect import describe_component
from component_framework.testing import ComponentTester


class Size(enum.Enum):
    SMALL = "s"
    LARGE = "l"


class Picker(Component):
    """Picks things.

    More text that the gallery does not show.
    """

    def mount(self) -> None:
        super().mount()
        self.state["title"] = self.params.get("title", "Pick")
        self.state["limit"] = self.params["limit"]
        self.state["ratio"] = self.params.get("ratio", 0.5)

    def on_pick(
        self,
        color: Literal["red", "blue"],
        size: Size = Size.SMALL,
        count: int | None = None,
        exact: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None: ...


def _inputs(fields: list[Any]) -> dict[str, tuple[str, Any]]:
    return {f.name: (f.input, f.default) for f in fields}


def test_handler_arguments_become_typed_inputs() -> None:
    info = describe_component("picker", Picker)
    assert info.kind == "basic"
    assert info.doc == "Picks things."
    (color, size, count, exact, extra) = info.events["pick"]
    assert (color.input, color.choices, color.required) == ("select", ("red", "blue"), True)
    assert (size.input, size.choices, size.default) == ("select", ("s", "l"), "s")
    assert (count.input, count.type) == ("integer", "int | None")
    assert (exact.input, exact.default) == ("checkbox", False)
    assert extra.input == "json"


def test_mount_params_are_read_from_mount() -> None:
    params = _inputs(describe_component("picker", Picker).params)
    assert params == {
        "title": ("text", "Pick"),
        "limit": ("json", None),
        "ratio": ("number", 0.5),
    }


def test_a_params_schema_wins_over_mount() -> None:
    class Schema(BaseModel):
        start: int = 3
        name: str

    class Declared(Picker):
        params_schema = Schema

    params = _inputs(describe_component("declared", Declared).params)
    assert params == {"start": ("integer", 3), "name": ("text", None)}


def test_kinds() -> None:
    class Form(FormComponent):
        pass

    class Stream(StreamingComponent):
        pass

    assert describe_component("f", Form).kind == "form"
    assert describe_component("f", Form).events["submit"][0].name == "form_data"
    assert describe_component("s", Stream).kind == "streaming"
    assert describe_component("s", Stream).doc == ""


class Address(BaseModel):
    street: str
    number: Annotated[int, Field(ge=1)]
    note: str = ""


class Everything(Component):
    template_name = "everything.html"

    def on_fill(
        self,
        form_data: dict[str, str],
        amount: Annotated[int, Field(ge=1, le=100)],
        ratio: Annotated[float, Field(gt=0, lt=1)],
        name: Annotated[str, Field(min_length=3)],
        tags: Annotated[list[int], Field(min_length=1)],
        color: Literal["red", "blue"],
        size: Size,
        address: Address,
        when: datetime,
        day: date,
        maybe: int | None,
        anything: Any,
        price: Decimal,
        seen: set[str],
        ident: UUID,
    ) -> None:
        self.state["filled"] = True


def test_every_required_argument_is_prefilled_with_a_value_its_type_accepts(
    templates: Callable[..., object],
) -> None:
    templates(**{"everything.html": "<p>{{ state.filled }}</p>"})
    fields = describe_component("everything", Everything).events["fill"]
    payload = {f.name: f.to_json()["example"] for f in fields}
    assert payload["form_data"] == {}
    assert payload["amount"] == 1 and payload["name"] == "xxx" and payload["tags"] == [0]
    # The playground sends the prefilled payload as JSON, through the event's validation.
    sent = json.loads(json.dumps(payload))
    ComponentTester(Everything).call("fill", **sent).assert_set("filled", True)
