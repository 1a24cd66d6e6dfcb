"""The WebSocket transport: Starlette's socket wrapped for core's ``ComponentWebSocketManager``.

The handshake is refused (close code 1008, which servers answer with HTTP 403) when the
``Origin`` header names a site that is not allowed: by default only the page's own host, so
another site cannot open a socket with the user's cookies (cross-site WebSocket hijacking).
Clients that send no ``Origin`` (not browsers) are let through; every message still passes
core's checks. A message may carry a ``ref``; its reply echoes it, so cf.js can match replies
to requests on a socket that also carries server pushes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from starlette.websockets import WebSocket, WebSocketDisconnect

from component_framework.core import WebSocketConnection
from component_framework.core._sockets import POLICY_VIOLATION, ReplyTo, origin_allowed

from ._context import set_current_request
from ._encoding import decode, encode

if TYPE_CHECKING:
    from ._app import ComponentApp

__all__ = ["StarletteConnection", "origin_allowed", "websocket_endpoint"]

logger = logging.getLogger("component_framework")


class StarletteConnection(WebSocketConnection):
    """A Starlette ``WebSocket`` as core's ``WebSocketConnection``.

    ``request`` is the WebSocket itself, so permission classes read ``request.user`` as
    Starlette's authentication middleware set it.
    """

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.dropped = False
        self._task: asyncio.Task[Any] | None = None

    def __repr__(self) -> str:
        return f"<StarletteConnection client={self.websocket.client!r}>"

    async def send(self, data: dict[str, Any]) -> None:
        """Send *data* as one JSON text message."""
        await self.websocket.send_text(_encode_shared(data))

    async def receive(self) -> dict[str, Any]:
        """Receive one JSON object."""
        data: dict[str, Any] = await self.websocket.receive_json()
        return data

    async def close(self) -> None:
        """Close the socket; a dropped page's endpoint stops reading (see ``drop``)."""
        with contextlib.suppress(RuntimeError):  # already closed
            await self.websocket.close()

    def serve_in_current_task(self) -> None:
        """Remember the endpoint task, so dropping the page can end it."""
        self._task = asyncio.current_task()

    async def drop(self) -> None:
        """End a page that fell behind: close, and stop the endpoint waiting on its reads."""
        self.dropped = True
        task = self._task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.close(), 2.0)
        if task is not None and not task.done():
            task.cancel()

    @property
    def request(self) -> Any:
        """The WebSocket, for permission classes (``request.user``)."""
        return self.websocket


_last_encoded: tuple[Any, str] = (None, "")


def _encode_shared(data: dict[str, Any]) -> str:
    # A push hands the same message object to every page of a component: encode it once.
    # Pushes are sent from one event loop, so one remembered (object, text) pair is enough.
    global _last_encoded
    if _last_encoded[0] is data:
        return _last_encoded[1]
    text = encode(data)
    _last_encoded = (data, text)
    return text


async def websocket_endpoint(app: ComponentApp, websocket: WebSocket) -> None:
    """``WS {prefix}/ws``: events, subscriptions and server pushes on one socket."""
    origin = websocket.headers.get("origin")
    if not origin_allowed(origin, websocket.headers.get("host"), app.allowed_origins):
        logger.warning("Refused WebSocket from origin %r", origin)
        await websocket.close(code=POLICY_VIOLATION)
        return
    await websocket.accept()
    set_current_request(websocket)
    connection = StarletteConnection(websocket)
    connection.serve_in_current_task()
    connection_id = f"ws-{uuid4().hex}"
    manager = app.manager
    await manager.connect(connection, connection_id)
    try:
        while True:
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                break
            raw = received.get("text") or received.get("bytes") or b""
            # Undecodable or oversized messages go on raw: core answers them with its error.
            message: Any = decode(raw, app.limits)
            target: WebSocketConnection = connection
            if not isinstance(message, str | bytes):
                target = ReplyTo(connection, message)
            # Messages are answered one at a time, in order (cf.js queues per component).
            await manager.handle_message(
                target,
                connection_id,
                message,
                registry=app.registry,
                signer=app.signer,
                limits=app.limits,
            )
    except WebSocketDisconnect:
        pass
    except asyncio.CancelledError:
        if not connection.dropped:
            raise
        # The manager dropped this page (it fell behind): end quietly, it reconnects.
        current = asyncio.current_task()
        if current is not None:
            current.uncancel()
    finally:
        await manager.disconnect(connection_id)
