"""FormComponent and ModelFormComponent: validation, form state, and submit on every path."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, Field

from component_framework.core import (
    ComponentRegistry,
    ComponentWebSocketManager,
    FormComponent,
    ModelFormComponent,
)
from component_framework.core.exceptions import InvalidPayloadError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import handle_message, signed_message, stream_message
from component_framework.core.signing import Signer

from ._support import FakeConnection

Templates = Callable[..., JinjaRenderer]

FORM_TEMPLATE = (
    "{% for f, errs in field_errors.items() %}<em>{{ f }}: {{ errs|join('; ') }}</em>{% endfor %}"
    "<b>{{ state.saved }}</b>"
)


class UserSchema(BaseModel):
    name: str
    age: int = Field(ge=0, le=120)


def make_form(*, async_submit: bool = False) -> tuple[type[FormComponent], list[dict[str, Any]]]:
    submitted: list[dict[str, Any]] = []

    class UserForm(FormComponent):
        schema = UserSchema
        template_name = "form.html"

        def on_submit(self) -> None:
            assert self.validated_data is not None
            submitted.append(self.validated_data)
            self.state["saved"] = self.validated_data["name"]

    class AsyncUserForm(UserForm):
        async def on_submit(self) -> None:  # type: ignore[override]
            assert self.validated_data is not None
            submitted.append(self.validated_data)
            self.state["saved"] = self.validated_data["name"]

    return (AsyncUserForm if async_submit else UserForm), submitted


# ---------- Form state and validation ----------


def test_mount_sets_the_form_state_keys() -> None:
    form = FormComponent()
    form.mount()
    assert form.state == {"form_data": {}, "submitted": False, "is_valid": False}
    assert form.validated_data is None
    assert form.field_errors == {}


def test_validate_valid_data() -> None:
    form, _ = make_form()
    instance = form()
    instance.errors["form"] = "old"
    assert instance.validate({"name": "Ada", "age": "36"}) is True
    assert instance.validated_data == {"name": "Ada", "age": 36}
    assert instance.errors == {}
    assert instance.field_errors == {}


def test_validate_invalid_data_fills_field_errors() -> None:
    form, _ = make_form()
    instance = form()
    assert instance.validate({"age": 200}) is False
    assert instance.validated_data is None
    assert instance.errors == {"form": "Validation failed"}
    assert instance.field_errors == {
        "name": ["This field is required."],
        "age": ["Enter 120 or less."],
    }
    assert instance.get_field_errors("age") == ["Enter 120 or less."]
    assert instance.get_field_errors("other") == []
    assert instance.has_field_error("name")
    assert not instance.has_field_error("other")


def test_validate_without_schema_accepts_anything() -> None:
    form = FormComponent()
    assert form.validate({"x": 1}) is True
    assert form.validated_data == {"x": 1}


def test_field_values() -> None:
    form = FormComponent()
    assert form.get_field_value("name") == ""
    assert form.get_field_value("name", None) is None
    form.set_field_value("name", "Ada")
    assert form.state == {"form_data": {"name": "Ada"}}
    assert form.get_field_value("name") == "Ada"


def test_get_context_adds_form_keys() -> None:
    form, _ = make_form()
    instance = form(component_id="f-1")
    instance.mount()
    instance.validate({})
    context = instance.get_context()
    assert sorted(context) == [
        "component_id",
        "errors",
        "field_errors",
        "form_data",
        "is_valid",
        "slots",
        "state",
        "submitted",
    ]
    assert context["form_data"] == {}
    required = ["This field is required."]
    assert context["field_errors"] == {"name": required, "age": required}
    assert (context["is_valid"], context["submitted"]) == (False, False)


def test_field_change_sets_the_value_and_clears_its_error(templates: Templates) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, _ = make_form()
    instance = form()
    instance.mount()
    instance.validate({"age": 5})
    assert instance.has_field_error("name")
    instance.handle_event("field_change", {"field": "name", "value": "Ada"})
    assert instance.get_field_value("name") == "Ada"
    assert not instance.has_field_error("name")


def test_field_change_refuses_a_field_the_schema_does_not_have() -> None:
    form, _ = make_form()
    instance = form()
    instance.mount()
    with pytest.raises(InvalidPayloadError) as info:
        instance.handle_event("field_change", {"field": "is_admin", "value": True})
    assert str(info.value) == (
        "Invalid payload for field_change: unknown field 'is_admin'; fields are ['age', 'name']."
    )
    assert instance.state["form_data"] == {}


# ---------- Submit: dispatch and async_dispatch ----------


def test_submit_valid_calls_on_submit(templates: Templates) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, submitted = make_form()
    result = form().dispatch("submit", {"form_data": {"name": "Ada", "age": 36}})
    assert submitted == [{"name": "Ada", "age": 36}]
    assert result["state"] == {
        "form_data": {"name": "Ada", "age": 36},
        "submitted": True,
        "is_valid": True,
        "saved": "Ada",
    }
    assert result["html"] == "<b>Ada</b>"


def test_submit_invalid_reports_field_errors_and_skips_on_submit(templates: Templates) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, submitted = make_form()
    result = form().dispatch("submit", {"form_data": {"age": -1}})
    assert submitted == []
    assert result["state"]["is_valid"] is False
    assert result["state"]["submitted"] is True
    assert result["html"] == (
        "<em>name: This field is required.</em><em>age: Enter 0 or more.</em><b></b>"
    )


def test_submit_without_form_data_uses_the_form_state(templates: Templates) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, submitted = make_form()
    state = {"form_data": {"name": "Bo", "age": 3}, "submitted": False, "is_valid": False}
    form().dispatch("submit", {}, state=state)
    assert submitted == [{"name": "Bo", "age": 3}]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"form_data": [1]}, "Invalid payload for submit: form_data must be an object, got list."),
        ({"name": "x"}, 'Invalid payload for submit: expected {"form_data": {...}}.'),
    ],
)
def test_submit_payload_shape_is_checked(payload: dict[str, Any], message: str) -> None:
    form, submitted = make_form()
    with pytest.raises(InvalidPayloadError) as info:
        form().dispatch("submit", payload)
    assert str(info.value) == message
    assert submitted == []


@pytest.mark.parametrize("async_submit", [False, True])
async def test_submit_works_through_async_dispatch(
    templates: Templates, async_submit: bool
) -> None:
    # The seed overrode only the sync handle_event: async_dispatch called on_submit(form_data=...).
    templates(**{"form.html": FORM_TEMPLATE})
    form, submitted = make_form(async_submit=async_submit)
    result = await form().async_dispatch("submit", {"form_data": {"name": "Ada", "age": 1}})
    assert submitted == [{"name": "Ada", "age": 1}]
    assert result["state"]["saved"] == "Ada"
    invalid = await form().async_dispatch("submit", {"form_data": {"name": "Ada"}})
    assert submitted == [{"name": "Ada", "age": 1}]
    assert invalid["html"] == "<em>age: This field is required.</em><b></b>"


# ---------- Submit over the message path, WebSocket and SSE ----------


@pytest.mark.parametrize("async_submit", [False, True])
async def test_submit_through_handle_message(
    templates: Templates, fresh_registry: ComponentRegistry, signer: Signer, async_submit: bool
) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, submitted = make_form(async_submit=async_submit)
    fresh_registry.register("user_form")(form)
    valid = signed_message("user_form", "submit", {"form_data": {"name": "Ada", "age": 2}})
    reply = await handle_message(valid, registry=fresh_registry, signer=signer)
    assert reply["type"] == "component_update"
    assert json.loads(reply["state"])["saved"] == "Ada"
    assert submitted == [{"name": "Ada", "age": 2}]

    invalid = signed_message("user_form", "submit", {"form_data": {"name": "Ada", "age": "x"}})
    reply = await handle_message(invalid, registry=fresh_registry, signer=signer)
    assert reply["html"] == ("<em>age: Enter a whole number.</em><b></b>")
    assert submitted == [{"name": "Ada", "age": 2}]


async def test_submit_with_a_bad_shape_through_handle_message_runs_nothing(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    form, submitted = make_form()
    fresh_registry.register("user_form")(form)
    message = signed_message("user_form", "submit", {"form_data": "Ada"})
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert reply == {
        "type": "error",
        "error": "Invalid payload for submit: form_data must be an object, got str.",
        "code": "invalid_payload",
    }
    assert submitted == []


@pytest.mark.parametrize("async_submit", [False, True])
async def test_submit_through_the_websocket_manager(
    templates: Templates, fresh_registry: ComponentRegistry, signer: Signer, async_submit: bool
) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, submitted = make_form(async_submit=async_submit)
    fresh_registry.register("user_form")(form)
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    message = signed_message("user_form", "submit", {"form_data": {"name": "Ada", "age": 9}})
    await manager.handle_message(connection, "conn-1", message)
    message = signed_message("user_form", "submit", {"form_data": {"age": 9}})
    await manager.handle_message(connection, "conn-1", message)
    valid, invalid = connection.sent
    assert valid["type"] == "component_update"
    assert valid["html"] == "<b>Ada</b>"
    assert invalid["html"] == "<em>name: This field is required.</em><b></b>"
    assert submitted == [{"name": "Ada", "age": 9}]


@pytest.mark.parametrize("async_submit", [False, True])
async def test_submit_through_stream_message(
    templates: Templates, fresh_registry: ComponentRegistry, signer: Signer, async_submit: bool
) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, submitted = make_form(async_submit=async_submit)
    fresh_registry.register("user_form")(form)
    message = signed_message("user_form", "submit", {"form_data": {"name": "Ada", "age": 9}})
    frames = [f async for f in stream_message(message, registry=fresh_registry, signer=signer)]
    assert [(f["type"], f["html"], f["stream_done"]) for f in frames] == [
        ("component_update", "<b>Ada</b>", True)
    ]
    message = signed_message("user_form", "submit", {"form_data": {"name": "Ada", "age": 999}})
    frames = [f async for f in stream_message(message, registry=fresh_registry, signer=signer)]
    assert frames[0]["html"] == "<em>age: Enter 120 or less.</em><b></b>"
    assert submitted == [{"name": "Ada", "age": 9}]


async def test_field_errors_survive_the_round_trip_through_state(
    templates: Templates, fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    form, _ = make_form()
    fresh_registry.register("user_form")(form)
    message = signed_message("user_form", "submit", {"form_data": {"age": 9}})
    first = await handle_message(message, registry=fresh_registry, signer=signer)
    # Re-render the failed form from its signed state: the page keeps showing the errors.
    again = {
        "component": "user_form",
        "component_id": first["component_id"],
        "state": first["state"],
        "checksum": first["checksum"],
    }
    reply = await handle_message(again, registry=fresh_registry, signer=signer)
    assert reply["html"] == "<em>name: This field is required.</em><b></b>"


# ---------- ModelFormComponent ----------


class Person:
    def __init__(self, name: str, age: int) -> None:
        self.name = name
        self.age = age


def test_model_form_populates_form_data_from_the_instance() -> None:
    class PersonForm(ModelFormComponent):
        schema = UserSchema
        state_fields = ["name", "age", "missing"]
        instance = Person("Ada", 36)

    form = PersonForm()
    form.mount()
    assert form.state == {
        "form_data": {"name": "Ada", "age": 36, "missing": None},
        "submitted": False,
        "is_valid": False,
    }


def test_model_form_without_instance_mounts_an_empty_form() -> None:
    form = ModelFormComponent()
    form.mount()
    assert form.state["form_data"] == {}


def test_model_form_submit_updates_the_instance_and_saves(templates: Templates) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    saved: list[tuple[str, int]] = []
    person = Person("Ada", 36)

    class PersonForm(ModelFormComponent):
        schema = UserSchema
        template_name = "form.html"
        state_fields = ["name", "age"]
        instance = person

        def save_instance(self) -> None:
            saved.append((self.instance.name, self.instance.age))

    PersonForm().dispatch("submit", {"form_data": {"name": "Grace", "age": 40}})
    assert (person.name, person.age) == ("Grace", 40)
    assert saved == [("Grace", 40)]

    PersonForm().dispatch("submit", {"form_data": {"name": "Grace", "age": 400}})
    assert saved == [("Grace", 40)]


def test_model_form_submit_without_save_instance_only_sets_attributes(
    templates: Templates,
) -> None:
    templates(**{"form.html": FORM_TEMPLATE})
    person = Person("Ada", 36)

    class PersonForm(ModelFormComponent):
        schema = UserSchema
        template_name = "form.html"
        instance = person

    PersonForm().dispatch("submit", {"form_data": {"name": "Bo", "age": 1}})
    assert (person.name, person.age) == ("Bo", 1)


def test_field_errors_read_as_messages_for_people() -> None:
    from pydantic import BaseModel, field_validator

    class Schema(BaseModel):
        email: str
        age: int

        @field_validator("email")
        @classmethod
        def _email(cls, value: str) -> str:
            if "@" not in value:
                raise ValueError("Enter an email address like ada@example.com.")
            return value

    class Form(FormComponent):
        schema = Schema

    instance = Form()
    assert instance.validate({"email": "ada", "age": "old"}) is False
    assert instance.field_errors == {
        "email": ["Enter an email address like ada@example.com."],  # not "Value error, ..."
        "age": ["Enter a whole number."],
    }


def test_a_length_bound_of_one_says_character_not_characters() -> None:
    from pydantic import BaseModel, Field

    class Schema(BaseModel):
        code: str = Field(min_length=1)
        initial: str = Field(max_length=1)
        name: str = Field(min_length=2)

    class Form(FormComponent):
        schema = Schema

    instance = Form()
    assert instance.validate({"code": "", "initial": "ab", "name": "a"}) is False
    assert instance.field_errors == {
        "code": ["Use at least 1 character."],
        "initial": ["Use at most 1 character."],
        "name": ["Use at least 2 characters."],
    }


def test_an_on_submit_taking_the_form_data_is_refused_where_the_class_is_defined() -> None:
    from component_framework.core.exceptions import ConfigurationError
    from component_framework.core.form import ModelFormComponent

    with pytest.raises(ConfigurationError) as refused:

        class TaskForm(ModelFormComponent):
            def on_submit(self, form_data: dict[str, Any]) -> None:  # type: ignore[override]
                pass

    message = str(refused.value)
    assert "TaskForm.on_submit(self, form_data) takes arguments" in message
    assert "self.validated_data" in message and "super().save_instance()" in message

    class Extended(ModelFormComponent):  # optional arguments and super() are fine
        def on_submit(self, note: str = "") -> None:
            super().on_submit()
