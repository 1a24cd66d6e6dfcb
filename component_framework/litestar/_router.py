"""The component endpoints as a Litestar ``Router``: ``POST event``, ``POST stream``,
``GET cf.js`` and the ``ws`` WebSocket.

Every message goes through core's one message path; Litestar's own guards, middleware and
authentication apply as to any router, and ``request.user`` reaches the permission classes.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import Any, cast

from litestar import Request, Response, Router, get, post
from litestar.response import Stream

from component_framework.core import ComponentWebSocketManager, ws_manager
from component_framework.core._backends import open_backends
from component_framework.core._dev_key import development_key
from component_framework.core._refusals import Refused, check_body_size, check_headers
from component_framework.core._script import script_bytes, script_version
from component_framework.core.exceptions import ComponentError, ConfigurationError
from component_framework.core.protocol import (
    DEFAULT_LIMITS,
    Limits,
    handle_message,
    http_status,
    load_message,
    stream_message,
)
from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as default_registry
from component_framework.core.signing import Signer, configure
from component_framework.core.streaming import format_sse_frame

from ._websocket import socket_handler

__all__ = ["create_router"]

_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _signer(signer: Signer | None, secret_key: str | None, debug: bool) -> Signer:
    if signer is not None:
        return signer
    if secret_key or os.environ.get("CF_SECRET_KEY"):
        return configure(secret_key)
    if debug:
        # The project's development key, so open pages survive a restart (--reload).
        return configure(development_key(), ephemeral=True)
    raise ConfigurationError(
        "No secret key: set CF_SECRET_KEY (a long random string, kept secret) before starting, "
        "pass create_router(secret_key=...), or use create_router(debug=True) in development."
    )


def _encode(data: Any) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # a lone surrogate from the client
        return json.dumps(data, separators=(",", ":")).encode()


def _reply(reply: dict[str, Any], status: int) -> Response[bytes]:
    return Response(
        _encode(reply), status_code=status, media_type="application/json", headers=_NO_STORE
    )


async def _read(request: Request[Any, Any, Any], limits: Limits) -> Any:
    limit = limits.max_message_bytes
    headers = request.headers
    check_headers(
        headers.get("content-type"),
        bool(headers.get("x-cf-request")),
        headers.get("content-length"),
        limit,
    )
    body = await request.body()
    check_body_size(len(body), limit)
    # Without authentication middleware Litestar has no user: permission classes see None.
    request.scope.setdefault("user", None)
    try:
        return load_message(body, limits)
    except ComponentError:
        return body  # core answers with the same error on every transport


def create_router(
    *,
    path: str = "/cf",
    registry: ComponentRegistry = default_registry,
    signer: Signer | None = None,
    secret_key: str | None = None,
    debug: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    guards: Sequence[Any] = (),
    manager: ComponentWebSocketManager = ws_manager,
    allowed_origins: Sequence[str] = (),
    **options: Any,
) -> Router:
    """Return a Router serving the component endpoints under *path*.

    Args:
        path: Where the endpoints live; pages send events to ``{path}/event``.
        registry: Where component names are looked up.
        signer: Signs state; by default the process-wide signer, configured here.
        secret_key: Configure the process-wide signer with this key (else CF_SECRET_KEY).
        debug: Without a key, sign with the project's development key (``.cf/secret-key``,
            made on first use) instead of refusing to start.
        limits: Size and nesting limits on messages.
        guards: Litestar guards run before every endpoint.
        manager: Answers WebSocket messages and sends pushes (core's ``ws_manager``).
        allowed_origins: Sites besides the page's own host whose pages may open the socket
            (``scheme://host[:port]``, or ``"*"``).
        **options: Passed to ``litestar.Router`` (middleware, dependencies, ...).

    Raises:
        ConfigurationError: No secret key outside debug mode, or the broker or the state store
            (``CF_BROKER_URL``, ``CF_STATE_STORE``) cannot work.
    """
    state_signer = _signer(signer, secret_key, debug)
    open_backends(manager)

    @post("/event", status_code=200)
    async def event(request: Request[Any, Any, Any]) -> Response[bytes]:
        try:
            message = await _read(request, limits)
        except Refused as exc:
            return _reply(exc.reply, exc.status)
        reply = await handle_message(
            message, request, registry=registry, signer=state_signer, limits=limits
        )
        return _reply(reply, http_status(reply))

    @post("/stream", status_code=200)
    async def stream(request: Request[Any, Any, Any]) -> Response[Any]:
        try:
            message = await _read(request, limits)
        except Refused as exc:
            return _reply(exc.reply, exc.status)
        frames = cast(
            AsyncGenerator[dict[str, Any], None],
            stream_message(message, request, registry=registry, signer=state_signer, limits=limits),
        )
        first = await anext(frames)

        async def body() -> AsyncIterator[str]:
            try:
                yield format_sse_frame(first)
                if first.get("type") == "error" or first.get("stream_done"):
                    return
                async for frame in frames:
                    yield format_sse_frame(frame)
            finally:
                await frames.aclose()

        return Stream(
            body(),
            status_code=http_status(first),
            media_type="text/event-stream",
            headers={**_NO_STORE, "X-Accel-Buffering": "no"},
        )

    @get("/cf.js")
    async def script(request: Request[Any, Any, Any]) -> Response[bytes]:
        version = script_version()
        etag = f'"{version}"'
        versioned = request.query_params.get("v") == version
        headers = {
            "ETag": etag,
            "Cache-Control": "public, max-age=31536000, immutable" if versioned else "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(b"", status_code=304, headers=headers)
        return Response(
            script_bytes(), media_type="text/javascript; charset=utf-8", headers=headers
        )

    socket = socket_handler(
        manager=manager,
        registry=registry,
        signer=state_signer,
        limits=limits,
        allowed_origins=allowed_origins,
    )
    handlers = [event, stream, script, socket]
    return Router(path=path, route_handlers=handlers, guards=list(guards), **options)
