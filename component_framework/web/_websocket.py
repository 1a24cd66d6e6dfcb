"""The WebSocket transport: Starlette's socket as core's connection, served by core's host loop.

The handshake is refused (close code 1008, which servers answer with HTTP 403) when the
``Origin`` header names a site that is not allowed (core's Origin check). Every message goes
through core's WebSocket manager; a message may carry a ``ref``, which its reply echoes.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from component_framework.core._websocket_host import (
    POLICY_VIOLATION,
    SocketConnection,
    encode_text,
    origin_allowed,
    origin_refused,
    serve_socket,
)

if TYPE_CHECKING:
    from ._app import ComponentApp

__all__ = ["StarletteConnection", "origin_allowed", "websocket_endpoint"]


class StarletteConnection(SocketConnection):
    """A Starlette ``WebSocket`` as core's ``WebSocketConnection``.

    ``request`` is the WebSocket itself, so permission classes read ``request.user`` as
    Starlette's authentication middleware set it.
    """

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    def __repr__(self) -> str:
        return f"<StarletteConnection client={self.websocket.client!r}>"

    async def send(self, data: dict[str, Any]) -> None:
        """Send *data* as one JSON text message."""
        await self.websocket.send_text(encode_text(data))

    async def receive(self) -> dict[str, Any]:
        """Receive one JSON object."""
        data: dict[str, Any] = await self.websocket.receive_json()
        return data

    async def close(self) -> None:
        """Close the socket (nothing to do when it is already closed)."""
        with contextlib.suppress(RuntimeError):
            await self.websocket.close()

    @property
    def request(self) -> Any:
        """The WebSocket, for permission classes (``request.user``)."""
        return self.websocket


async def websocket_endpoint(app: ComponentApp, websocket: WebSocket) -> None:
    """``WS {prefix}/ws``: events, subscriptions and server pushes on one socket."""
    headers = websocket.headers
    if origin_refused(headers.get("origin"), headers.get("host"), app.config):
        await websocket.close(code=POLICY_VIOLATION)
        return
    await websocket.accept()

    async def receive() -> str | bytes | None:
        try:
            received = await websocket.receive()
        except WebSocketDisconnect:
            return None
        if received["type"] == "websocket.disconnect":
            return None
        raw: str | bytes = received.get("text") or received.get("bytes") or b""
        return raw

    await serve_socket(app.manager, app.config, StarletteConnection(websocket), receive)
