"""Helpers shared by the core tests: a template-free renderer, a record of what ran and a
WebSocket connection that keeps what it was sent."""

from __future__ import annotations

import threading
from typing import Any

from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer
from component_framework.core.websocket import ComponentWebSocketManager, WebSocketConnection


class Plain(Renderer):
    """Renders ``<p>{count}</p>`` without templates."""

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('count')}</p>"


class Ledger:
    """Records every piece of component code that runs, and on which thread."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.threads: dict[str, threading.Thread] = {}

    def note(self, what: str) -> None:
        self.calls.append(what)
        self.threads[what] = threading.current_thread()


class FakeConnection(WebSocketConnection):
    """Keeps every message sent in ``sent``; ``broken=True`` fails every send."""

    def __init__(self, request: Any = None, *, broken: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self._request = request
        self.broken = broken

    async def send(self, data: dict[str, Any]) -> None:
        if self.broken:
            raise ConnectionError("gone")
        self.sent.append(data)

    async def receive(self) -> dict[str, Any]:
        raise NotImplementedError

    async def close(self) -> None:
        pass

    @property
    def request(self) -> Any:
        return self._request


async def subscribed_page(
    manager: ComponentWebSocketManager,
    signer: Signer,
    n: int,
    state: str | None,
    name: str = "todo",
    request: Any = None,
) -> FakeConnection:
    """A page (``conn-<n>``) subscribed to ``<name>-<n>``, holding *state* as signed (none:
    a state the server does not know); its ``sent`` starts empty."""
    page = FakeConnection(request)
    cid = f"{name}-{n}"
    await manager.connect(page, f"conn-{n}")
    message: dict[str, Any] = {
        "type": "subscribe",
        "component_id": cid,
        "token": signer.subscription_token(name, cid),
    }
    if state is not None:
        message.update(state=state, checksum=signer.sign(name, cid, state))
    await manager.handle_message(page, f"conn-{n}", message)
    assert page.sent[-1]["type"] == "subscribed"
    page.sent.clear()
    return page
