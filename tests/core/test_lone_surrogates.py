"""Client JSON may spell a lone surrogate ("\\ud800"): refused, and never able to break replies.

Python decodes such an escape into a ``str`` that UTF-8 cannot encode. Kept in state (or in a
shared list the component renders) it would turn every later reply into a 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from component_framework.core import (
    Component,
    ComponentRegistry,
    FormComponent,
    StateSerializer,
)
from component_framework.core import exceptions as exc
from component_framework.core._json import has_lone_surrogate
from component_framework.core.protocol import handle_message, http_status, signed_message
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer

LONE = json.loads('"\\ud800"')


class Plain(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{len(context['state'])}</p>"


class NameSchema(BaseModel):
    name: str


@pytest.fixture
def ran(fresh_registry: ComponentRegistry) -> list[str]:
    ran: list[str] = []

    @fresh_registry.register("notes")
    class Notes(Component):
        template_name = "notes.html"
        renderer = Plain()

        def on_add(self, text: str, tags: list[str] | None = None) -> None:
            ran.append("add")
            self.state["text"] = text

        def on_anything(self, **payload: Any) -> None:
            ran.append("anything")
            self.state.update(payload)

    @fresh_registry.register("form")
    class Form(FormComponent):
        template_name = "form.html"
        renderer = Plain()
        schema = NameSchema

        def on_submit(self) -> None:
            ran.append("submit")

    return ran


@pytest.mark.parametrize(
    ("name", "event", "payload"),
    [
        ("notes", "add", {"text": LONE}),
        ("notes", "add", {"text": "ok", "tags": ["fine", "bad" + LONE]}),
        ("notes", "anything", {LONE: 1}),
        ("notes", "anything", {"deep": {"list": [LONE]}}),
        ("form", "submit", {"form_data": {"name": LONE}}),
        ("form", "field_change", {"field": "name", "value": LONE}),
    ],
)
async def test_a_lone_surrogate_in_a_payload_is_refused_before_the_handler(
    ran: list[str],
    fresh_registry: ComponentRegistry,
    signer: Signer,
    name: str,
    event: str,
    payload: dict[str, Any],
) -> None:
    first = await handle_message({"component": name}, registry=fresh_registry, signer=signer)
    message = {
        "component": name,
        "component_id": first["component_id"],
        "event": event,
        "payload": payload,
        "state": first["state"],
        "checksum": first["checksum"],
    }
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert reply["code"] == "invalid_payload"
    assert reply["error"] == (
        f"Invalid payload for {event}: it holds text that is not valid Unicode "
        "(a lone surrogate such as \\ud800)."
    )
    assert http_status(reply) == 400
    json.dumps(reply, ensure_ascii=False).encode()  # the reply itself is sendable
    assert ran == []


async def test_valid_non_ascii_text_and_surrogate_pairs_pass(
    ran: list[str], fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    text = json.loads('"caf\\u00e9 \\ud83d\\ude00"')  # a valid pair decodes to one emoji
    message = signed_message("notes", "add", {"text": text}, {}, signer=signer)
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert reply["type"] == "component_update"
    assert json.loads(reply["state"]) == {"text": "café 😀"}
    assert ran == ["add"]


async def test_an_unknown_component_name_is_echoed_safely(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    reply = await handle_message({"component": LONE}, registry=fresh_registry, signer=signer)
    assert reply["code"] == "unknown_component"
    assert reply["error"].startswith("Component '\\ud800' not found.")
    json.dumps(reply, ensure_ascii=False).encode()


def test_state_holding_a_lone_surrogate_is_a_clear_error() -> None:
    with pytest.raises(exc.MessageError, match="not valid Unicode"):
        StateSerializer.serialize_canonical({"text": LONE})


def test_has_lone_surrogate() -> None:
    assert has_lone_surrogate({"a": [1, {"b": LONE}]})
    assert has_lone_surrogate({LONE: 1})
    assert not has_lone_surrogate({"a": ["é", "😀", 1.5, None, True]})
