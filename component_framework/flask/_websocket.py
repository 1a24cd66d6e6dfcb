"""The component WebSocket under a WSGI server (Werkzeug's, gunicorn's threaded workers).

A WSGI server hands the upgraded connection to the app in a thread of its own:
simple-websocket speaks the protocol on it. The thread reads the messages and hands them to
core's socket loop (``serve_socket``) on the process's background loop, where the manager
answers them and delivers pushes; replies are written from there. The handshake is refused
(HTTP 403) when the ``Origin`` header names a site that is not allowed, before it is accepted.

The socket holds its server thread while it is open: give the server threads to spare
(``gunicorn -k gthread --threads 32``; Werkzeug's development server has a thread per request).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from flask import Response, request
from simple_websocket import ConnectionClosed, Server

from component_framework.core import ComponentWebSocketManager
from component_framework.core._websocket_host import (
    SocketConnection,
    encode_text,
    origin_refused,
    serve_socket,
)
from component_framework.core._wsgi_host import background_loop
from component_framework.core.config import AppConfig

__all__ = ["FlaskConnection", "serve_flask_socket"]


class FlaskConnection(SocketConnection):
    """A simple-websocket ``Server`` as core's connection; ``request`` as at the handshake."""

    def __init__(self, socket: Server, request: Any) -> None:
        self.socket = socket
        self._request = request

    def __repr__(self) -> str:
        return f"<FlaskConnection mode={self.socket.mode!r}>"

    async def send(self, data: dict[str, Any]) -> None:
        """Send *data* as one JSON text message (written from a worker thread: it may block)."""
        await asyncio.to_thread(self.socket.send, encode_text(data))

    async def close(self) -> None:
        """Close the socket (nothing to do when it is already closed)."""
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.socket.close)

    @property
    def request(self) -> Any:
        """The request of the handshake with its user, for permission classes."""
        return self._request


class _Ended(Response):
    """The reply after the socket closed: nothing more is written to the connection."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._mode = mode

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if self._mode == "gunicorn":
            raise StopIteration()  # gunicorn's workers close the connection on it
        if self._mode == "werkzeug":
            # Werkzeug writes the reply to the closed socket and drops the error quietly.
            return super().__call__(environ, start_response)
        return []


def serve_flask_socket(
    manager: ComponentWebSocketManager, config: AppConfig, component_request: Any
) -> Response:
    """Serve the WebSocket of the request being handled until the client leaves."""
    headers = request.headers
    if origin_refused(headers.get("Origin"), headers.get("Host"), config):
        return Response("WebSocket origin not allowed.", status=403, mimetype="text/plain")
    socket = Server.accept(request.environ)
    loop = background_loop().loop
    inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
    serving = asyncio.run_coroutine_threadsafe(
        serve_socket(manager, config, FlaskConnection(socket, component_request), inbox.get),
        loop,
    )
    try:
        while True:
            try:
                raw: str | bytes | None = socket.receive()
            except ConnectionClosed:
                raw = None
            loop.call_soon_threadsafe(inbox.put_nowait, raw)
            if raw is None:
                break
        serving.result()
    finally:
        with contextlib.suppress(Exception):
            socket.close()
    return _Ended(socket.mode)
