"""ComponentWebSocketManager: connections, signed subscriptions, events, pushes."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from component_framework.core import (
    BasePermission,
    Component,
    ComponentRegistry,
    ComponentWebSocketManager,
    IsAuthenticated,
    ws_manager,
)
from component_framework.core.protocol import Limits, signed_message
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer

from ._support import FakeConnection, Ledger, Plain


@dataclass
class User:
    is_authenticated: bool


@dataclass
class Request:
    user: User


@pytest.fixture
def ran(fresh_registry: ComponentRegistry) -> Ledger:
    ran = Ledger()

    @fresh_registry.register("counter")
    class Counter(Component):
        template_name = "counter.html"
        renderer = Plain()

        def mount(self) -> None:
            ran.note("mount")
            super().mount()
            self.state["count"] = 0

        def hydrate(self, state: dict[str, Any]) -> None:
            ran.note("hydrate")
            super().hydrate(state)

        def on_increment(self) -> None:
            ran.note("increment")
            self.state["count"] += 1

        async def on_async_increment(self) -> None:
            ran.note("async_increment")
            self.state["count"] += 1

        def on_boom(self) -> None:
            ran.note("boom")
            raise RuntimeError("secret connection string")

    @fresh_registry.register("private")
    class Private(Counter):
        permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated]

    return ran


@pytest.fixture
def manager(fresh_registry: ComponentRegistry, signer: Signer) -> ComponentWebSocketManager:
    return ComponentWebSocketManager(registry=fresh_registry, signer=signer)


def test_the_global_manager() -> None:
    assert isinstance(ws_manager, ComponentWebSocketManager)


async def test_connect_and_disconnect(manager: ComponentWebSocketManager) -> None:
    first, second = FakeConnection(), FakeConnection()
    await manager.connect(first, "conn-1")
    await manager.connect(second, "conn-1")
    assert manager.connections == {"conn-1": [first, second]}
    assert repr(manager) == "<ComponentWebSocketManager connections=1 components=0>"
    await manager.disconnect("conn-1")
    assert manager.connections == {}
    await manager.disconnect("conn-1")  # twice is fine


async def test_subscriber_sets_are_removed_when_empty(manager: ComponentWebSocketManager) -> None:
    await manager.connect(FakeConnection(), "conn-1")
    await manager.connect(FakeConnection(), "conn-2")
    manager.subscribe("conn-1", "c-1")
    manager.subscribe("conn-2", "c-1")
    manager.subscribe("conn-1", "c-2")
    assert manager.component_subscribers == {"c-1": {"conn-1", "conn-2"}, "c-2": {"conn-1"}}
    manager.unsubscribe("conn-2", "c-1")
    assert manager.component_subscribers == {"c-1": {"conn-1"}, "c-2": {"conn-1"}}
    manager.unsubscribe("conn-1", "c-2")
    assert manager.component_subscribers == {"c-1": {"conn-1"}}
    await manager.disconnect("conn-1")
    assert manager.component_subscribers == {}
    manager.unsubscribe("conn-9", "c-9")  # unknown ids are ignored
    assert manager.component_subscribers == {}


async def test_a_component_event_gets_an_update(
    manager: ComponentWebSocketManager, ran: Ledger, signer: Signer
) -> None:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    message = signed_message(
        "counter", "increment", state={"count": 4}, component_id="c-1", signer=signer
    )
    await manager.handle_message(connection, "conn-1", message)
    assert connection.sent == [
        {
            "type": "component_update",
            "html": "<p>5</p>",
            "state": '{"count":5}',
            "checksum": signer.sign("counter", "c-1", '{"count":5}'),
            "component_id": "c-1",
            "slots": {},
            "subscribe_token": None,  # the client chose "c-1": never subscribable
        }
    ]
    await manager.handle_message(connection, "conn-1", json.dumps(message))
    assert connection.sent[1]["state"] == '{"count":5}'


async def test_sync_handlers_run_in_a_worker_thread_and_async_on_the_loop(
    manager: ComponentWebSocketManager, ran: Ledger
) -> None:
    loop_thread = threading.current_thread()
    connection = FakeConnection()
    await manager.handle_message(connection, "conn-1", signed_message("counter", "increment"))
    await manager.handle_message(connection, "conn-1", signed_message("counter", "async_increment"))
    assert [m["type"] for m in connection.sent] == ["component_update", "component_update"]
    assert ran.threads["increment"] is not loop_thread
    assert ran.threads["async_increment"] is loop_thread


@pytest.mark.parametrize(
    ("request_", "code", "error"),
    [
        (None, "not_authenticated", "Authentication required."),
        (Request(User(is_authenticated=False)), "not_authenticated", "Authentication required."),
    ],
)
async def test_permission_classes_are_checked(
    manager: ComponentWebSocketManager, ran: Ledger, request_: Any, code: str, error: str
) -> None:
    connection = FakeConnection(request_)
    await manager.handle_message(connection, "conn-1", signed_message("private", "increment"))
    assert connection.sent == [{"type": "error", "error": error, "code": code}]
    assert ran.calls == []


async def test_permission_denied_is_403(
    fresh_registry: ComponentRegistry, manager: ComponentWebSocketManager
) -> None:
    class Never(BasePermission):
        def has_permission(self, request: Any, component_cls: type) -> bool:
            return False

    calls: list[str] = []

    @fresh_registry.register("locked")
    class Locked(Component):
        permission_classes: ClassVar[list[type[BasePermission]]] = [Never]

        def on_go(self) -> None:
            calls.append("go")

    connection = FakeConnection(Request(User(is_authenticated=True)))
    await manager.handle_message(connection, "conn-1", signed_message("locked", "go"))
    assert connection.sent == [
        {"type": "error", "error": "Permission denied.", "code": "permission_denied"}
    ]
    assert calls == []


async def test_an_authenticated_request_passes(
    manager: ComponentWebSocketManager, ran: Ledger
) -> None:
    connection = FakeConnection(Request(User(is_authenticated=True)))
    await manager.handle_message(connection, "conn-1", signed_message("private", "increment"))
    assert connection.sent[0]["type"] == "component_update"
    assert ran.calls == ["mount", "increment"]


async def test_a_client_cannot_ask_for_a_broadcast(
    manager: ComponentWebSocketManager, ran: Ledger, signer: Signer
) -> None:
    sender, watcher = FakeConnection(), FakeConnection()
    await manager.connect(sender, "conn-1")
    await manager.connect(watcher, "conn-2")
    manager.subscribe("conn-2", "c-1", "counter")
    message = signed_message(
        "counter", "increment", state={"count": 1}, component_id="c-1", signer=signer
    )
    message["broadcast"] = True
    await manager.handle_message(sender, "conn-1", message)
    assert [m["type"] for m in sender.sent] == ["component_update"]
    assert watcher.sent == []


async def test_error_replies_never_contain_exception_text(
    manager: ComponentWebSocketManager, ran: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    connection = FakeConnection()
    await manager.handle_message(connection, "conn-1", signed_message("counter", "boom"))
    assert connection.sent == [
        {"type": "error", "error": "Error handling boom", "code": "handler_error"}
    ]
    assert "secret connection string" not in json.dumps(connection.sent)
    assert "secret connection string" in caplog.text


async def test_an_unexpected_error_is_generic(
    fresh_registry: ComponentRegistry, manager: ComponentWebSocketManager
) -> None:
    class Broken(Renderer):
        def render(self, template_name: str, context: dict[str, Any]) -> str:
            raise OSError("/etc/secret/path")

    @fresh_registry.register("broken")
    class BrokenComponent(Component):
        template_name = "broken.html"
        renderer = Broken()

    connection = FakeConnection()
    await manager.handle_message(connection, "conn-1", signed_message("broken"))
    assert connection.sent == [
        {
            "type": "error",
            "error": "Internal error while handling the event; it has been logged.",
            "code": "internal_error",
        }
    ]


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (
            "{not json",
            "Message is not valid JSON: Expecting property name enclosed in double quotes "
            "at line 1 column 2.",
        ),
        ("[1]", "Message must be a JSON object, got list."),
        (
            {"type": "hello"},
            "Unknown message type 'hello': expected component_event, subscribe or unsubscribe.",
        ),
        (
            {"component": "counter"},
            "Unknown message type None: expected component_event, subscribe or unsubscribe.",
        ),
        ({"type": "subscribe"}, "A subscribe message needs a 'component_id' string."),
        (
            {"type": "unsubscribe", "component_id": 5},
            "A unsubscribe message needs a 'component_id' string.",
        ),
        (
            {"type": "component_event", "component": "counter", "event": "_x"},
            "No handler for event: _x",
        ),
    ],
)
async def test_malformed_messages_get_an_error_and_run_nothing(
    manager: ComponentWebSocketManager, ran: Ledger, message: Any, error: str
) -> None:
    connection = FakeConnection()
    await manager.handle_message(connection, "conn-1", message)
    assert len(connection.sent) == 1
    assert connection.sent[0]["type"] == "error"
    assert connection.sent[0]["error"] == error
    assert ran.calls == []


async def test_an_oversized_raw_message_is_refused(
    fresh_registry: ComponentRegistry, signer: Signer, ran: Ledger
) -> None:
    manager = ComponentWebSocketManager(
        registry=fresh_registry, signer=signer, limits=Limits(max_message_bytes=50)
    )
    connection = FakeConnection()
    raw = json.dumps(signed_message("counter", "increment", {"pad": "x" * 100}))
    await manager.handle_message(connection, "conn-1", raw)
    assert connection.sent == [
        {"type": "error", "error": f"Message is {len(raw)} bytes (limit: 50).", "code": "too_large"}
    ]
    assert ran.calls == []


# ---------- Subscriptions need the signed token ----------


async def test_subscribe_with_the_issued_token(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    token = signer.subscription_token("counter", "c-1")
    await manager.handle_message(
        connection, "conn-1", {"type": "subscribe", "component_id": "c-1", "token": token}
    )
    [reply] = connection.sent
    assert reply["type"] == "subscribed" and reply["component_id"] == "c-1"
    # Subscribing renews the token (tokens expire).
    assert signer.verify_subscription("c-1", reply["subscribe_token"]) == "counter"
    assert manager.component_subscribers == {"c-1": {"conn-1"}}
    assert [sub.component_id for sub in manager.subscriptions("counter")] == ["c-1"]
    await manager.handle_message(
        connection, "conn-1", {"type": "unsubscribe", "component_id": "c-1"}
    )
    assert connection.sent[-1] == {"type": "unsubscribed", "component_id": "c-1"}
    assert manager.component_subscribers == {}
    assert manager.subscriptions("counter") == []


@pytest.mark.parametrize("token", [None, "", "counter:" + "0" * 64, "bogus"])
async def test_subscribe_without_a_valid_token_is_refused(
    manager: ComponentWebSocketManager, token: Any
) -> None:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    message: dict[str, Any] = {"type": "subscribe", "component_id": "c-1"}
    if token is not None:
        message["token"] = token
    await manager.handle_message(connection, "conn-1", message)
    assert connection.sent == [
        {
            "type": "error",
            "error": "Subscription refused: the token is missing or invalid.",
            "code": "tampered_state",
        }
    ]
    assert manager.component_subscribers == {}


async def test_a_token_for_another_component_id_is_refused(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    connection = FakeConnection()
    token = signer.subscription_token("counter", "c-1")
    await manager.handle_message(
        connection, "conn-1", {"type": "subscribe", "component_id": "c-2", "token": token}
    )
    assert connection.sent[0]["code"] == "tampered_state"
    assert manager.component_subscribers == {}


async def test_the_token_from_a_render_subscribes(
    manager: ComponentWebSocketManager, ran: Ledger
) -> None:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    await manager.handle_message(connection, "conn-1", signed_message("counter"))
    update = connection.sent[0]
    await manager.handle_message(
        connection,
        "conn-1",
        {
            "type": "subscribe",
            "component_id": update["component_id"],
            "token": update["subscribe_token"],
        },
    )
    assert connection.sent[1]["type"] == "subscribed"
    assert connection.sent[1]["component_id"] == update["component_id"]


# ---------- Server pushes ----------


async def test_broadcast_update_reaches_every_subscribed_connection(
    manager: ComponentWebSocketManager,
) -> None:
    a1, a2, b, other = FakeConnection(), FakeConnection(), FakeConnection(), FakeConnection()
    await manager.connect(a1, "conn-a")
    await manager.connect(a2, "conn-a")
    await manager.connect(b, "conn-b")
    await manager.connect(other, "conn-other")
    manager.subscribe("conn-a", "c-1")
    manager.subscribe("conn-b", "c-1")
    manager.subscribe("conn-gone", "c-1")  # subscribed but not connected
    # The documented API's broadcast: a dispatch result's html and state, as push_update sends.
    result = {"component_id": "c-1", "html": "<p>x</p>", "state": {"n": 1}}
    await manager.broadcast_update("c-1", result)
    await manager.broadcast_update("c-none", {})
    await manager.flush()
    expected = {
        "type": "component_update",
        "component_id": "c-1",
        "html": "<p>x</p>",
        "state": '{"n":1}',
    }
    assert a1.sent == a2.sent == b.sent == [expected]
    assert other.sent == []


async def test_broadcast_update_signs_the_state_like_push_update(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    manager.subscribe("conn-1", "c-1", "counter")
    await manager.broadcast_update("c-1", {"html": "<p>2</p>", "state": '{"count": 2}'})
    await manager.flush()
    [update] = connection.sent
    assert update["state"] == '{"count":2}'
    assert update["checksum"] == signer.sign("counter", "c-1", '{"count":2}')


async def test_a_failing_connection_does_not_stop_the_broadcast(
    manager: ComponentWebSocketManager, caplog: pytest.LogCaptureFixture
) -> None:
    good, bad = FakeConnection(), FakeConnection(broken=True)
    await manager.connect(good, "conn-good")
    await manager.connect(bad, "conn-bad")
    manager.subscribe("conn-good", "c-1")
    manager.subscribe("conn-bad", "c-1")
    await manager.broadcast_update("c-1", {"html": "x"})
    await manager.flush()
    assert good.sent == [
        {"type": "component_update", "component_id": "c-1", "html": "x", "state": "{}"}
    ]
    # The broken connection is dropped (its page reconnects and re-syncs).
    assert "Dropped a WebSocket that fell behind (send failed (ConnectionError))" in caplog.text
    assert manager.component_subscribers == {"c-1": {"conn-good"}}


async def test_push_update_signs_state_for_a_token_subscription(
    manager: ComponentWebSocketManager, signer: Signer
) -> None:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    manager.subscribe("conn-1", "c-1", "counter")
    await manager.push_update("c-1", "<p>9</p>", {"count": 9})
    await manager.flush()
    assert connection.sent == [
        {
            "type": "component_update",
            "component_id": "c-1",
            "html": "<p>9</p>",
            "state": '{"count":9}',
            "checksum": signer.sign("counter", "c-1", '{"count":9}'),
        }
    ]


async def test_push_update_without_a_known_component_sends_unsigned_state(
    manager: ComponentWebSocketManager,
) -> None:
    connection = FakeConnection()
    await manager.connect(connection, "conn-1")
    manager.subscribe("conn-1", "c-1")
    await manager.push_update("c-1", "<p>1</p>", {"count": 1})
    await manager.flush()
    assert connection.sent == [
        {
            "type": "component_update",
            "component_id": "c-1",
            "html": "<p>1</p>",
            "state": '{"count":1}',
        }
    ]


async def test_push_state_renders_every_subscribed_instance(
    manager: ComponentWebSocketManager, ran: Ledger, signer: Signer
) -> None:
    first, second = FakeConnection(), FakeConnection()
    await manager.connect(first, "conn-1")
    await manager.connect(second, "conn-2")
    manager.subscribe("conn-1", "c-1", "counter")
    manager.subscribe("conn-2", "c-2", "counter")
    await manager.push_state("counter", {"count": 42})
    await manager.flush()
    assert first.sent[0]["html"] == second.sent[0]["html"] == "<p>42</p>"
    assert first.sent[0]["component_id"] == "c-1"
    assert second.sent[0]["component_id"] == "c-2"
    signer.verify("counter", "c-2", second.sent[0]["state"], second.sent[0]["checksum"])


async def test_subscribing_to_a_protected_component_checks_permissions(
    manager: ComponentWebSocketManager, ran: Ledger, signer: Signer
) -> None:
    token = signer.subscription_token("private", "c-1")
    message = {"type": "subscribe", "component_id": "c-1", "token": token}
    anonymous = FakeConnection(Request(User(is_authenticated=False)))
    await manager.handle_message(anonymous, "conn-1", message)
    assert anonymous.sent == [
        {"type": "error", "error": "Authentication required.", "code": "not_authenticated"}
    ]
    assert manager.component_subscribers == {}
    member = FakeConnection(Request(User(is_authenticated=True)))
    await manager.handle_message(member, "conn-2", message)
    assert member.sent[0]["type"] == "subscribed"
    assert manager.component_subscribers == {"c-1": {"conn-2"}}
