"""Security fixtures: hostile-input targets mounted in a real ComponentApp."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry, StreamingComponent
from component_framework.web import ComponentApp

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}

calls: list[str] = []


def define(registry: ComponentRegistry) -> None:
    @registry.register("target")
    class Target(Component):
        template_name = "target.html"

        def mount(self) -> None:
            super().mount()
            self.state["value"] = 0

        def on_set(self, value: Any) -> None:
            calls.append("set")
            self.state["value"] = value

        def on_repeat(self, n: int) -> None:
            calls.append("repeat")
            self.state["value"] = len("#" * n)

        def on_anything(self, **fields: Any) -> None:
            calls.append("anything")
            self.state["value"] = sorted(fields)

    @registry.register("streamer")
    class Streamer(StreamingComponent):
        template_name = "target.html"

        def on_set(self, value: Any) -> None:
            calls.append("stream-set")
            self.state["value"] = value


@pytest.fixture
def app(fresh_registry: ComponentRegistry, templates: Callable[..., Any]) -> ComponentApp:
    """A ComponentApp over a fresh registry holding the hostile-input targets."""
    templates(**{"target.html": "<p>{{ state.value }}</p>"})
    define(fresh_registry)
    calls.clear()
    return ComponentApp(registry=fresh_registry)


@pytest.fixture
def client(app: ComponentApp) -> Iterator[TestClient]:
    """A TestClient on a Starlette app that mounts *app* at /cf."""
    with TestClient(Starlette(routes=[app.mount()])) as test_client:
        yield test_client


@pytest.fixture
def mounted(client: TestClient) -> dict[str, Any]:
    """The first render of ``target``: its id, state and checksum."""
    response = client.post("/cf/event", json={"component": "target"}, headers=HEADERS)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


def event_body(reply: dict[str, Any], event: str, payload_json: str, name: str = "target") -> str:
    """The raw JSON text of an event message whose payload is *payload_json* verbatim."""
    return (
        f'{{"type":"component_event","component":"{name}",'
        f'"component_id":"{reply["component_id"]}","event":"{event}",'
        f'"payload":{payload_json},"state":{_quote(reply["state"])},'
        f'"checksum":"{reply["checksum"]}"}}'
    )


def _quote(text: str) -> str:
    import json

    return json.dumps(text)
