"""A page whose user lost a permission stops receiving pushes for the component it guards.

Permission classes were checked when a page subscribed and never again: a user whose access
was revoked kept receiving pushed HTML (and pushed events) until the page reloaded. Now, for a
component with permission classes, they are checked again for each page at each push
delivery (``check_permissions_on_push``, on by default); a refused page is unsubscribed and
told why. A component may set it to ``False`` to check only at subscribe time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from component_framework.core import (
    BasePermission,
    Component,
    ComponentRegistry,
    ComponentWebSocketManager,
)
from component_framework.core.signing import Signer
from tests.core._support import FakeConnection

MEMBERS: set[str] = set()
"""The server's live record of who may read the board (a database table in a real app)."""


@dataclass
class User:
    name: str
    is_authenticated: bool = True


@dataclass
class Request:
    user: User


class IsMember(BasePermission):
    def has_permission(self, request: Any, component_cls: type) -> bool:
        return request is not None and request.user.name in MEMBERS


class Text:
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('text', '')}</p>"


@pytest.fixture(autouse=True)
def members() -> None:
    MEMBERS.clear()
    MEMBERS.update({"alice", "bob"})


def _boards(registry: ComponentRegistry) -> None:
    @registry.register("board")
    class Board(Component):
        template_name = "board.html"
        renderer = Text()  # type: ignore[assignment]
        permission_classes: ClassVar[list[type[BasePermission]]] = [IsMember]

        def on_refresh(self, text: str = "") -> None:
            self.state["text"] = text

    @registry.register("lax_board")
    class LaxBoard(Board):
        check_permissions_on_push = False  # checked at subscribe only: no per-push cost


async def _page(
    manager: ComponentWebSocketManager, signer: Signer, user: str, name: str = "board"
) -> FakeConnection:
    connection = FakeConnection(Request(User(user)))
    await manager.connect(connection, f"conn-{user}-{name}")
    token = signer.subscription_token(name, f"{name}-{user}")
    subscribe = {"type": "subscribe", "component_id": f"{name}-{user}", "token": token}
    await manager.handle_message(connection, f"conn-{user}-{name}", subscribe)
    assert connection.sent.pop()["type"] == "subscribed"
    return connection


async def test_a_revoked_user_stops_receiving_pushed_html_and_events(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    _boards(fresh_registry)
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    alice, bob = await _page(manager, signer, "alice"), await _page(manager, signer, "bob")
    MEMBERS.discard("bob")  # bob's access is revoked while his page stays open

    await manager.push_state("board", {"text": "secret plans"})
    await manager.push_event("board", "refresh", {"text": "more secrets"})
    await manager.push_update("board-bob", "<p>secret too</p>", {"text": "secret too"})
    await manager.flush()

    assert [m["type"] for m in alice.sent] == ["component_update", "push_event"]
    assert "secret" not in repr(bob.sent)
    assert bob.sent == [
        {
            "type": "unsubscribed",
            "component_id": "board-bob",
            "error": "Permission denied.",
            "code": "permission_denied",
        }
    ]
    assert manager.subscriptions_of("board-bob") == []


async def test_a_component_may_check_only_at_subscribe_time(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    _boards(fresh_registry)
    manager = ComponentWebSocketManager(registry=fresh_registry, signer=signer)
    bob = await _page(manager, signer, "bob", name="lax_board")
    MEMBERS.discard("bob")
    await manager.push_state("lax_board", {"text": "news"})
    await manager.flush()
    assert [m["html"] for m in bob.sent] == ["<p>news</p>"]
