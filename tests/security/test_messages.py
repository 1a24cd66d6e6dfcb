"""Hostile messages: numbers Python cannot hold, reserved argument names, cheap checks first.

Each test here failed before the fix it covers (issue 11, items 3, 8 and 11).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry, StreamingComponent
from component_framework.core.protocol import Limits
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
    return json.dumps(text)


HUGE = "1" + "0" * 4400  # more digits than int() takes from text (4,300)


def post(client: TestClient, body: str, path: str = "/cf/event") -> Any:
    return client.post(path, content=body.encode(), headers=HEADERS)


@pytest.mark.parametrize("value", [2**53 + 1, -(2**53) - 1, 10**30])
def test_payload_integers_beyond_2_53_are_refused(
    client: TestClient, mounted: dict[str, Any], value: int
) -> None:
    response = post(client, event_body(mounted, "set", json.dumps({"value": value})))
    assert response.status_code == 400
    reply = response.json()
    assert reply["code"] == "bad_message"
    assert "Limits.max_integer" in reply["error"]
    assert calls == []


def test_the_integer_limit_is_a_setting(
    fresh_registry: ComponentRegistry, templates: Any, mounted: dict[str, Any], app: ComponentApp
) -> None:
    unbounded = ComponentApp(
        registry=app.registry, signer=app.signer, limits=Limits(max_integer=None)
    )
    with TestClient(Starlette(routes=[unbounded.mount()])) as client:
        response = post(client, event_body(mounted, "set", json.dumps({"value": 10**30})))
    assert response.status_code == 200
    assert json.loads(response.json()["state"]) == {"value": 10**30}


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1E400"])
def test_a_number_beyond_float_is_a_400_not_a_500(
    client: TestClient, mounted: dict[str, Any], number: str
) -> None:
    response = post(client, event_body(mounted, "set", f'{{"value":{number}}}'))
    assert response.status_code == 400
    assert response.json()["code"] == "bad_message"
    assert "too large for a float" in response.json()["error"]
    assert calls == []


@pytest.mark.parametrize("path", ["/cf/event", "/cf/stream"])
@pytest.mark.parametrize("where", ["payload", "extra field"])
def test_an_integer_of_more_than_4300_digits_is_a_400(
    client: TestClient, mounted: dict[str, Any], path: str, where: str
) -> None:
    body = event_body(mounted, "set", f'{{"value":{HUGE}}}')
    if where == "extra field":
        body = event_body(mounted, "set", "{}")[:-1] + f',"extra":{HUGE}}}'
    response = post(client, body, path)
    assert response.status_code == 400
    text = response.text
    assert "too many digits" in text
    assert calls == []


def test_an_integer_of_more_than_4300_digits_keeps_the_socket(
    client: TestClient, mounted: dict[str, Any]
) -> None:
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_text(event_body(mounted, "set", f'{{"value":{HUGE}}}'))
        refused = ws.receive_json()
        assert refused["type"] == "error"
        assert refused["code"] == "bad_message"
        ws.send_text(event_body(mounted, "set", '{"value":7}'))
        assert json.loads(ws.receive_json()["state"]) == {"value": 7}
    assert calls == ["set"]


def test_kwargs_handler_sent_self_is_a_400(client: TestClient, mounted: dict[str, Any]) -> None:
    response = post(client, event_body(mounted, "anything", '{"self":1,"a":2}'))
    assert response.status_code == 400
    assert response.json() == {
        "type": "error",
        "error": "Invalid payload for anything: self: reserved name, not an argument",
        "code": "invalid_payload",
    }
    assert calls == []
    fine = post(client, event_body(mounted, "anything", '{"a":2,"b":3}'))
    assert json.loads(fine.json()["state"]) == {"value": ["a", "b"]}


DEEP = "[" * 40 + "]" * 40


@pytest.mark.parametrize(
    ("component", "event", "status", "code"),
    [
        ("nobody", "set", 404, "unknown_component"),
        ("target", "missing", 404, "unknown_event"),
        ("target", "_private", 404, "unknown_event"),
    ],
)
def test_names_are_checked_before_the_payload(
    client: TestClient, mounted: dict[str, Any], component: str, event: str, status: int, code: str
) -> None:
    # The payload is too deep and holds a refused integer: walking it costs time in proportion
    # to its size, so an unknown component or event is refused first.
    payload = f'{{"deep":{DEEP},"big":{2**60}}}'
    response = post(client, event_body(mounted, event, payload, name=component))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert calls == []
