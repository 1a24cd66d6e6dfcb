"""``WS /cf/ws``: events, signed subscriptions, pushes, Origin checks and permissions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from component_framework.web import ComponentApp, origin_allowed

from .conftest import calls, event

Mounted = Callable[..., dict[str, Any]]


def test_event_round_trip_echoes_ref(client: TestClient, mounted: Mounted) -> None:
    first = mounted("counter")
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_json({**event(first, "counter", "increment", {"amount": 2}), "ref": "7"})
        reply = ws.receive_json()
    assert reply["type"] == "component_update"
    assert reply["ref"] == "7"
    assert json.loads(reply["state"]) == {"count": 2}


def test_errors_on_the_socket_are_safe(client: TestClient, mounted: Mounted) -> None:
    first = mounted("counter")
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_text("{broken")
        assert ws.receive_json()["code"] == "bad_message"
        ws.send_json(event(first, "counter", "explode"))
        reply = ws.receive_json()
        assert reply == {
            "type": "error",
            "error": "Error handling explode",
            "code": "handler_error",
        }
        tampered = {**event(first, "counter", "increment"), "state": '{"count":9}'}
        ws.send_json(tampered)
        assert ws.receive_json()["code"] == "tampered_state"
    assert calls == ["explode"]


@pytest.mark.parametrize(
    ("user", "code"), [(None, "not_authenticated"), ("bob", "permission_denied")]
)
def test_permissions_refuse_on_websocket(client: TestClient, user: str | None, code: str) -> None:
    headers = {"X-User": user} if user else {}
    with client.websocket_connect("/cf/ws", headers=headers) as ws:
        ws.send_json({"type": "component_event", "component": "staff_only", "event": "touch"})
        assert ws.receive_json()["code"] == code
    assert calls == []


def test_staff_user_passes_on_websocket(client: TestClient) -> None:
    with client.websocket_connect("/cf/ws", headers={"X-User": "ann:staff"}) as ws:
        ws.send_json({"type": "component_event", "component": "staff_only", "event": "touch"})
        assert ws.receive_json()["type"] == "component_update"
    assert calls == ["touch"]


def test_push_update_reaches_every_subscribed_socket(
    components: ComponentApp, client: TestClient, mounted: Mounted
) -> None:
    first = mounted("counter")
    subscribe = {
        "type": "subscribe",
        "component_id": first["component_id"],
        "token": first["subscribe_token"],
    }
    with client.websocket_connect("/cf/ws") as one, client.websocket_connect("/cf/ws") as two:
        for ws in (one, two):
            ws.send_json(subscribe)
            reply = ws.receive_json()
            assert (reply["type"], reply["component_id"]) == ("subscribed", first["component_id"])
        assert client.portal is not None
        client.portal.call(components.push_state, "counter", {"count": 41})
        for ws in (one, two):
            pushed = ws.receive_json()
            assert pushed["type"] == "component_update"
            assert pushed["component_id"] == first["component_id"]
            assert "41" in pushed["html"]
            assert pushed["checksum"].startswith("1:")


def test_subscribe_without_a_valid_token_is_refused(client: TestClient, mounted: Mounted) -> None:
    first = mounted("counter")
    other = mounted("counter")
    with client.websocket_connect("/cf/ws") as ws:
        for token in (None, "counter:" + "0" * 64, other["subscribe_token"]):
            ws.send_json(
                {"type": "subscribe", "component_id": first["component_id"], "token": token}
            )
            reply = ws.receive_json()
            assert reply["type"] == "error"
            assert reply["code"] == "tampered_state"


def test_subscribe_checks_permissions(client: TestClient, mounted: Mounted) -> None:
    first = mounted("members_only", **{"X-User": "ann"})
    subscribe = {
        "type": "subscribe",
        "component_id": first["component_id"],
        "token": first["subscribe_token"],
    }
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_json(subscribe)
        assert ws.receive_json()["code"] == "not_authenticated"
    with client.websocket_connect("/cf/ws", headers={"X-User": "ann"}) as ws:
        ws.send_json(subscribe)
        assert ws.receive_json()["type"] == "subscribed"


def test_broadcast_requests_from_clients_are_refused(client: TestClient) -> None:
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_json({"type": "broadcast", "component_id": "x", "html": "<b>pwned</b>"})
        reply = ws.receive_json()
    assert reply["type"] == "error"
    assert reply["code"] == "bad_message"


def test_foreign_origin_is_refused(client: TestClient) -> None:
    evil = {"Origin": "https://evil.example"}
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/cf/ws", headers=evil),
    ):
        pass
    assert refused.value.code == 1008


def test_same_host_origin_is_accepted(client: TestClient) -> None:
    with client.websocket_connect("/cf/ws", headers={"Origin": "http://testserver"}) as ws:
        ws.send_json({"type": "unsubscribe", "component_id": "component-1"})
        assert ws.receive_json()["type"] == "unsubscribed"


def test_allowed_origins_are_configurable(components: ComponentApp) -> None:
    app = ComponentApp(registry=components.registry, allowed_origins=["https://app.example"])
    with TestClient(Starlette(routes=[app.mount()])) as client:
        with client.websocket_connect("/cf/ws", headers={"Origin": "https://app.example"}):
            pass
        other = {"Origin": "https://other.example"}
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/cf/ws", headers=other):
            pass


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "expected"),
    [
        (None, "a.example", [], True),
        ("https://a.example", "a.example", [], True),
        ("https://A.example:8443", "a.example:8443", [], True),
        ("https://a.example.evil", "a.example", [], False),
        ("null", "a.example", [], False),
        ("https://b.example", "a.example", ["https://b.example/"], True),
        ("https://c.example", "a.example", ["*"], True),
    ],
)
def test_origin_allowed(origin: str | None, host: str, allowed: list[str], expected: bool) -> None:
    assert origin_allowed(origin, host, allowed) is expected


def test_oversized_socket_message_is_refused(components: ComponentApp, client: TestClient) -> None:
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_text(json.dumps({"x": "a" * components.limits.max_message_bytes}))
        assert ws.receive_json()["code"] == "too_large"


def test_socket_replies_carry_fresh_optimistic_patches(
    client: TestClient, mounted: Mounted
) -> None:
    # Without them a page on the WebSocket transport keeps the patches of its first render
    # and shows a stale "expected" result from the second event on.
    first = mounted("counter")
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_json({**event(first, "counter", "increment", {"amount": 2}), "ref": 1})
        reply = ws.receive_json()
    assert reply["ref"] == 1
    assert json.loads(reply["state"]) == {"count": 2}
    assert reply["optimistic"] == {'increment|{"amount": 2}': {"count": 4}}


def test_nan_on_the_socket_is_refused_as_bad_json(client: TestClient, mounted: Mounted) -> None:
    # Python's json reads NaN, which is not JSON: it must not reach a handler's state (where
    # it would fail the reply's serialization with a 500).
    first = mounted("signup")
    message = json.dumps(event(first, "signup", "field_change", {"field": "name", "value": 0}))
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_text(message.replace('"value": 0', '"value": NaN'))
        reply = ws.receive_json()
    assert reply["type"] == "error"
    assert reply["code"] == "bad_message"
    assert "NaN" in reply["error"]


async def test_a_reply_holding_a_lone_surrogate_is_still_sent() -> None:
    """UTF-8 cannot encode a lone surrogate: the reply goes out with it escaped, not lost."""
    from component_framework.web import StarletteConnection

    sent: list[str] = []

    class Socket:
        async def send_text(self, text: str) -> None:
            text.encode()  # as the server does before writing the frame
            sent.append(text)

    lone = json.loads('"\\ud800"')
    connection = StarletteConnection(Socket())  # type: ignore[arg-type]
    await connection.send({"type": "component_update", "html": f"<p>{lone}é</p>"})
    assert json.loads(sent[0]) == {"type": "component_update", "html": f"<p>{lone}é</p>"}
    await connection.send({"html": "<p>é</p>"})
    assert sent[1] == '{"html":"<p>é</p>"}'  # UTF-8 text as usual otherwise


def test_effects_arrive_over_the_socket_as_over_http(
    client: TestClient, components: ComponentApp, mounted: Mounted
) -> None:
    from component_framework.core import Component

    @components.registry.register("leaver")
    class Leaver(Component):
        def render(self) -> str:
            return "<p>leaving</p>"

        def on_leave(self, to: str) -> None:
            self.flash("info", "Bye.")
            self.navigate(to)

    first = mounted("leaver")
    with client.websocket_connect("/cf/ws") as ws:
        ws.send_json(event(first, "leaver", "leave", {"to": "/next"}))
        flash, navigate = ws.receive_json()["effects"]
        ws.send_json(event(first, "leaver", "leave", {"to": "https://evil.example/"}))
        refused = ws.receive_json()
    assert flash == {"type": "flash", "level": "info", "text": "Bye."}
    assert navigate["type"] == "navigate" and navigate["url"] == "/next"
    assert navigate["flash"]  # signed for the next page
    assert refused["code"] == "unsafe_url"
