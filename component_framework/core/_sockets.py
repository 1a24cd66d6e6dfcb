"""What every WebSocket host shares: the ``Origin`` check and replies that echo a ``ref``.

The Starlette transport, the Litestar adapter and the Django Channels consumer use these, so
a socket behaves the same whoever serves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from .websocket import WebSocketConnection

__all__ = ["POLICY_VIOLATION", "ReplyTo", "origin_allowed"]

POLICY_VIOLATION = 1008
"""The close code for a refused handshake (servers answer it with HTTP 403)."""


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
