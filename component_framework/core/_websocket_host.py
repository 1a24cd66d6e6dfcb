"""What every WebSocket host does, once: the Origin check, the socket's loop, replies with ``ref``.

A host (the Starlette transport, the Litestar adapter, the Django Channels consumer) wraps its
socket in a ``SocketConnection`` (``send``, ``close``, ``request``) and either runs
``serve_socket`` with a function that receives one message, or (a callback-driven host
such as Channels) calls ``answer_raw`` for each message it is handed. The Origin check
(``origin_refused``) runs before the host accepts the handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from ._json import wire_json
from ._message import load_message
from ._push import Encoded
from .config import AppConfig
from .exceptions import ComponentError
from .websocket import ComponentWebSocketManager, WebSocketConnection

__all__ = [
    "POLICY_VIOLATION",
    "ReplyTo",
    "SocketConnection",
    "answer_raw",
    "encode_text",
    "origin_allowed",
    "origin_refused",
    "serve_socket",
]

logger = logging.getLogger("component_framework")

POLICY_VIOLATION = 1008
"""The close code for a refused handshake (servers answer it with HTTP 403)."""

_CLOSE_TIMEOUT = 2.0


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """Whether a handshake with *origin* may open, for a server reached as *host*.

    Allowed: no Origin (not a browser), the same host as the request, or an entry of
    *allowed* (exact ``scheme://host[:port]``, or ``"*"`` for any).
    """
    if origin is None:
        return True
    allowed = list(allowed)
    if "*" in allowed or origin.rstrip("/") in (a.rstrip("/") for a in allowed):
        return True
    netloc = urlsplit(origin).netloc.lower()
    return bool(netloc) and netloc == (host or "").lower()


def origin_refused(origin: str | None, host: str | None, config: AppConfig) -> bool:
    """Whether the handshake must be refused (close with ``POLICY_VIOLATION``); logged.

    By default only the page's own host may open the socket, so another site cannot open one
    with the user's cookies (cross-site WebSocket hijacking).
    """
    if origin_allowed(origin, host, config.allowed_origins):
        return False
    logger.warning("Refused WebSocket from origin %r", origin)
    return True


_last_encoded: tuple[Any, str] = (None, "")


def encode_text(data: dict[str, Any]) -> str:
    """A message as one JSON text frame.

    A push hands the same message object to every page of a component: it is encoded once.
    Pushes are sent from one event loop, so one remembered (object, text) pair is enough.
    """
    global _last_encoded
    if isinstance(data, Encoded):
        return data.text
    if _last_encoded[0] is data:
        return _last_encoded[1]
    text = wire_json(data)
    _last_encoded = (data, text)
    return text


class SocketConnection(WebSocketConnection):
    """A host's socket as core's connection: the host implements ``send``, ``close`` and
    ``request``; a page that falls behind is dropped here (``drop``)."""

    dropped: bool = False
    _task: asyncio.Task[Any] | None = None

    async def receive(self) -> dict[str, Any]:
        """Not used: the host's loop hands messages to ``serve_socket``."""
        raise NotImplementedError("The host receives messages; see serve_socket().")

    async def drop(self) -> None:
        """End a page that fell behind: close, and stop the loop waiting on its reads."""
        self.dropped = True
        task = self._task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.close(), _CLOSE_TIMEOUT)
        if task is not None and not task.done():
            task.cancel()


class ReplyTo(WebSocketConnection):
    """*connection* while answering *message*: what is sent echoes the message's ``ref``.

    cf.js matches replies to requests by ``ref`` on a socket that also carries pushes; a
    message without a valid ``ref`` (a string or an integer) gets replies without one.
    """

    def __init__(self, connection: WebSocketConnection, message: Any) -> None:
        self._connection = connection
        ref = message.get("ref") if isinstance(message, dict) else None
        valid = isinstance(ref, str | int) and not isinstance(ref, bool)
        self._ref = ref if valid else None

    def __repr__(self) -> str:
        return repr(self._connection)

    async def send(self, data: dict[str, Any]) -> None:
        """Send *data* with the ``ref`` added."""
        if self._ref is not None:
            data = {**data, "ref": self._ref}
        await self._connection.send(data)

    async def receive(self) -> dict[str, Any]:
        """Receive from the connection."""
        return await self._connection.receive()

    async def close(self) -> None:
        """Close the connection."""
        await self._connection.close()

    async def drop(self) -> None:
        """Drop the connection (its reader fell behind): the page reconnects."""
        await self._connection.drop()

    @property
    def request(self) -> Any:
        """The connection's request, for permission classes."""
        return self._connection.request


async def answer_raw(
    manager: ComponentWebSocketManager,
    config: AppConfig,
    connection: WebSocketConnection,
    connection_id: str,
    raw: str | bytes,
) -> None:
    """Answer one received message on *connection* (its reply echoes its ``ref``)."""
    message: Any = raw
    # Decoded here for its ref; an undecodable or oversized one goes on raw, and the manager
    # answers it with the message path's error.
    with contextlib.suppress(ComponentError):
        message = load_message(raw, config.limits)
    target = connection if isinstance(message, str | bytes) else ReplyTo(connection, message)
    await manager.handle_message(target, connection_id, message, config=config)


async def serve_socket(
    manager: ComponentWebSocketManager,
    config: AppConfig,
    connection: SocketConnection,
    receive: Callable[[], Awaitable[str | bytes | None]],
) -> None:
    """Serve an accepted socket until *receive* returns None (the client left).

    Messages are answered one at a time, in order (cf.js queues per component). A page the
    manager drops (it fell behind) ends the loop quietly: it reconnects.
    """
    connection._task = asyncio.current_task()
    connection_id = f"ws-{uuid4().hex}"
    await manager.connect(connection, connection_id)
    try:
        while (raw := await receive()) is not None:
            await answer_raw(manager, config, connection, connection_id, raw)
    except asyncio.CancelledError:
        if not connection.dropped:
            raise
        current = asyncio.current_task()
        if current is not None:
            current.uncancel()
    finally:
        await manager.disconnect(connection_id)
