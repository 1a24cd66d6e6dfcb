"""The component WebSocket for Litestar: events, subscriptions and server pushes on one socket.

The handshake is refused (close code 1008, answered with HTTP 403) when the ``Origin`` header
names a site that is not allowed: by default only the page's own host (core's Origin check,
as on the Starlette transport). Every message goes through core's WebSocket manager, by
default the process-wide ``ws_manager``, so ``ws_manager.push_state(...)`` reaches every
subscribed page; ``request.user`` (Litestar's authentication middleware) reaches the
permission classes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from typing import Any, cast
from uuid import uuid4

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.handlers import WebsocketRouteHandler

from component_framework.core import ComponentWebSocketManager, WebSocketConnection
from component_framework.core._sockets import POLICY_VIOLATION, ReplyTo, origin_allowed
from component_framework.core.exceptions import ComponentError
from component_framework.core.protocol import Limits, load_message
from component_framework.core.registry import ComponentRegistry
from component_framework.core.signing import Signer

__all__ = ["LitestarConnection", "socket_handler"]

logger = logging.getLogger("component_framework")


def _encode(data: Any) -> str:
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except UnicodeEncodeError:  # a lone surrogate from the client
        return json.dumps(data, separators=(",", ":"))


class LitestarConnection(WebSocketConnection):
    """A Litestar ``WebSocket`` as core's ``WebSocketConnection``; ``request`` is the socket."""

    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self.socket = socket
        self.dropped = False
        self._task = asyncio.current_task()

    def __repr__(self) -> str:
        return f"<LitestarConnection client={self.socket.client!r}>"

    async def send(self, data: dict[str, Any]) -> None:
        """Send *data* as one JSON text message."""
        await self.socket.send_text(_encode(data))

    async def receive(self) -> dict[str, Any]:
        """Receive one JSON object."""
        data: dict[str, Any] = await self.socket.receive_json()
        return data

    async def close(self) -> None:
        """Close the socket (nothing to do when it is already closed)."""
        with contextlib.suppress(Exception):
            await self.socket.close()

    async def drop(self) -> None:
        """End a page that fell behind: close, and stop the handler waiting on its reads."""
        self.dropped = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.close(), 2.0)
        if self._task is not None and not self._task.done():
            self._task.cancel()

    @property
    def request(self) -> Any:
        """The socket, for permission classes (``request.user``)."""
        return self.socket


def socket_handler(
    *,
    manager: ComponentWebSocketManager,
    registry: ComponentRegistry,
    signer: Signer,
    limits: Limits,
    allowed_origins: Sequence[str],
) -> WebsocketRouteHandler:
    """The ``/ws`` route handler answering every message through *manager*."""

    @websocket("/ws")
    async def socket(socket: WebSocket[Any, Any, Any]) -> None:
        origin = socket.headers.get("origin")
        if not origin_allowed(origin, socket.headers.get("host"), allowed_origins):
            logger.warning("Refused WebSocket from origin %r", origin)
            await socket.close(code=POLICY_VIOLATION)
            return
        # Without authentication middleware Litestar has no user: permission classes see None.
        socket.scope.setdefault("user", None)
        await socket.accept()
        connection = LitestarConnection(socket)
        connection_id = f"ws-{uuid4().hex}"
        await manager.connect(connection, connection_id)
        try:
            while True:
                received = await socket.receive()
                if received["type"] == "websocket.disconnect":
                    break
                raw = cast(str | bytes, received.get("text") or received.get("bytes") or b"")
                message: Any = raw
                with contextlib.suppress(ComponentError):  # core answers a bad one itself
                    message = load_message(raw, limits)
                # One at a time, in order (cf.js queues per component).
                await manager.handle_message(
                    ReplyTo(connection, message),
                    connection_id,
                    message,
                    registry=registry,
                    signer=signer,
                    limits=limits,
                )
        except WebSocketDisconnect:
            pass
        except asyncio.CancelledError:
            if not connection.dropped:
                raise
            current = asyncio.current_task()  # dropped by the manager: it reconnects
            if current is not None:
                current.uncancel()
        finally:
            await manager.disconnect(connection_id)

    return socket
