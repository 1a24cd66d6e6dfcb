"""The servers of ``push_fanout.py``: ``cf`` (a ComponentApp) or ``floor`` (raw Starlette).

``cf``: a live component ``ticker`` (and ``ticker_checked`` / ``ticker_subscribe_only``, the
same with a permission class checked at each push / at subscribe only); pages subscribe with
its token; pushes come through the Redis broker (``CF_BROKER_URL``). ``floor``: a raw
WebSocket endpoint and a raw redis-py subscription that sends each published text to every
socket, inline, one after another.

Run: CF_BROKER_URL=redis://... BENCH_MODE=cf|floor uvicorn _push_server:app --port N
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from component_framework.core import BasePermission, Component, ComponentRegistry
from component_framework.core.renderer import Renderer
from component_framework.core.streams import Stream
from component_framework.web import ComponentApp


class _Static(Renderer):
    def render(self, template_name: str, context: dict[str, Any]) -> str:
        if template_name == "item.html":  # a stream's item (push_fanout.py --kind stream)
            return f'<li id="{context["dom_id"]}">{context["item"]["text"]}</li>'
        return f"<p>{context['state'].get('n', 0)}</p>"


registry = ComponentRegistry()


@registry.register("ticker")
class Ticker(Component):
    template_name = "ticker.html"
    renderer = _Static()
    live = True
    streams: ClassVar[dict[str, Stream]] = {"items": Stream("item.html")}

    async def on_tick(self, n: int = 0) -> None:
        self.state["n"] = n


class Allowed(BasePermission):
    """A permission class that reads the request, as a real one would (anyone may watch)."""

    def has_permission(self, request: Any, component_cls: type) -> bool:
        return request is not None


@registry.register("ticker_checked")
class CheckedTicker(Ticker):
    """The ticker with a permission class, checked again at each push (the default)."""

    permission_classes: ClassVar[list[type[BasePermission]]] = [Allowed]


@registry.register("ticker_subscribe_only")
class SubscribeOnlyTicker(CheckedTicker):
    """The same permission class, checked when a page subscribes only."""

    check_permissions_on_push = False


class _List(Renderer):
    """A 20-item list, filtered by the page's own text: the issue's dashboard."""

    def render(self, template_name: str, context: dict[str, Any]) -> str:
        state = context["state"]
        items = [f"item {i} of push {state['n']}" for i in range(20)]
        shown = "".join(f"<li>{item}</li>" for item in items if state["filter"] in item)
        return f'<ul data-n="{state["n"]}">{shown}</ul>'


@registry.register("board")
class Board(Component):
    """A live list each page filters on its own (``push_event`` keeps the filter)."""

    template_name = "board.html"
    renderer = _List()
    live = True
    transport = "ws"

    def mount(self) -> None:
        super().mount()
        self.state = {"filter": "", "n": 0, "draft": 0}

    async def on_filter(self, text: str = "", draft: int = 0) -> None:
        self.state["filter"] = text
        self.state["draft"] = draft  # per page, not shown: what a page is typing

    async def on_refresh(self, n: int = 0) -> None:
        self.state["n"] = n


sockets: set[WebSocket] = set()


async def floor_ws(websocket: WebSocket) -> None:
    await websocket.accept()
    sockets.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        sockets.discard(websocket)


async def _floor_relay() -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(os.environ["CF_BROKER_URL"], decode_responses=True)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("floor")
    async for item in pubsub.listen():
        if item.get("type") == "message":
            for websocket in list(sockets):
                with contextlib.suppress(Exception):
                    await websocket.send_text(item["data"])


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    task = asyncio.create_task(_floor_relay()) if os.environ["BENCH_MODE"] == "floor" else None
    yield
    if task is not None:
        task.cancel()


components = ComponentApp(registry=registry, max_body_bytes=1 << 20)
app = Starlette(routes=[WebSocketRoute("/floor", floor_ws), components.mount()], lifespan=lifespan)
