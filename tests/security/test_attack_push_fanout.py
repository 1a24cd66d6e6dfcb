"""A page that reads promptly is never dropped for holding many subscriptions.

One ``push_state`` puts one message per subscribed id on a connection's queue, all at once. With
more subscriptions of one component than ``max_queued`` (256 by default; the subscription limit
is 1,000), a page was dropped on every push however fast it read: measured against the example
app under uvicorn, a socket holding 300 live boards that read everything was dropped by the
first post, and re-synced into the same drop on the next.
"""

from __future__ import annotations

import asyncio
from typing import Any

from component_framework.core import (
    Component,
    ComponentRegistry,
    ComponentWebSocketManager,
    WebSocketConnection,
)
from component_framework.core.renderer import Renderer
from component_framework.core.signing import Signer


class Page(WebSocketConnection):
    """A page that reads everything at once."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed = False

    async def send(self, data: dict[str, Any]) -> None:
        self.sent.append(data)

    async def receive(self) -> dict[str, Any]:
        raise NotImplementedError

    async def close(self) -> None:
        self.closed = True


class Plain(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        return f"<p>{context['state'].get('text', '')}</p>"


async def _subscribe_many(
    registry: ComponentRegistry, signer: Signer, count: int, **options: Any
) -> tuple[ComponentWebSocketManager, Page]:
    manager = ComponentWebSocketManager(registry=registry, signer=signer, **options)
    page = Page()
    await manager.connect(page, "conn-1")
    for n in range(count):
        cid = f"row-{n}"
        token = signer.subscription_token("row", cid)
        await manager.handle_message(
            page, "conn-1", {"type": "subscribe", "component_id": cid, "token": token}
        )
    page.sent.clear()
    return manager, page


async def test_a_push_to_more_subscriptions_than_max_queued_reaches_them_all(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    @fresh_registry.register("row")
    class Row(Component):
        template_name = "row.html"
        renderer = Plain()

    manager, page = await _subscribe_many(fresh_registry, signer, 300)
    for n in range(3):
        await manager.push_state("row", {"text": f"v{n}"})
        await manager.flush()
        await asyncio.sleep(0)
    assert not page.closed
    assert "conn-1" in manager.connections
    assert len(page.sent) == 3 * 300
    assert {m["html"] for m in page.sent[-300:]} == {"<p>v2</p>"}


async def test_a_page_that_stops_reading_is_still_dropped_with_a_bounded_queue(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    @fresh_registry.register("row")
    class Row(Component):
        template_name = "row.html"
        renderer = Plain()

    manager, page = await _subscribe_many(fresh_registry, signer, 20, max_queued=8)

    async def never(data: dict[str, Any]) -> None:
        await asyncio.Event().wait()

    page.send = never  # type: ignore[method-assign]
    for n in range(3):  # 60 messages: more than 8 beyond one per subscription
        await manager.push_state("row", {"text": f"v{n}"})
    await manager.flush()
    assert "conn-1" not in manager.connections
    assert manager.component_subscribers == {}
