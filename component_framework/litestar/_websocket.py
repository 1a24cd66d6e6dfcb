"""The component WebSocket for Litestar: Litestar's socket as core's connection, served by
core's host loop.

The handshake is refused (close code 1008, answered with HTTP 403) when the ``Origin`` header
names a site that is not allowed (core's Origin check). Every message goes through core's
WebSocket manager, by default the process-wide ``ws_manager``, so ``ws_manager.push_state(...)``
reaches every subscribed page; ``request.user`` (Litestar's authentication middleware) reaches
the permission classes.
"""

from __future__ import annotations

import contextlib
from typing import Any, cast

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.handlers import WebsocketRouteHandler

from component_framework.core import ComponentWebSocketManager
from component_framework.core._websocket_host import (
    POLICY_VIOLATION,
    SocketConnection,
    encode_text,
    origin_refused,
    serve_socket,
)
from component_framework.core.config import AppConfig

__all__ = ["LitestarConnection", "socket_handler"]


class LitestarConnection(SocketConnection):
    """A Litestar ``WebSocket`` as core's ``WebSocketConnection``; ``request`` is the socket."""

    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self.socket = socket

    def __repr__(self) -> str:
        return f"<LitestarConnection client={self.socket.client!r}>"

    async def send(self, data: dict[str, Any]) -> None:
        """Send *data* as one JSON text message."""
        await self.socket.send_text(encode_text(data))

    async def close(self) -> None:
        """Close the socket (nothing to do when it is already closed)."""
        with contextlib.suppress(Exception):
            await self.socket.close()

    @property
    def request(self) -> Any:
        """The socket, for permission classes (``request.user``)."""
        return self.socket


def socket_handler(
    *, manager: ComponentWebSocketManager, config: AppConfig
) -> WebsocketRouteHandler:
    """The ``/ws`` route handler answering every message through *manager*."""

    @websocket("/ws")
    async def socket(socket: WebSocket[Any, Any, Any]) -> None:
        headers = socket.headers
        if origin_refused(headers.get("origin"), headers.get("host"), config):
            await socket.close(code=POLICY_VIOLATION)
            return
        # Without authentication middleware Litestar has no user: permission classes see None.
        socket.scope.setdefault("user", None)
        await socket.accept()

        async def receive() -> str | bytes | None:
            try:
                received = await socket.receive()
            except WebSocketDisconnect:
                return None
            if received["type"] == "websocket.disconnect":
                return None
            return cast(str | bytes, received.get("text") or received.get("bytes") or b"")

        await serve_socket(manager, config, LitestarConnection(socket), receive)

    return socket
