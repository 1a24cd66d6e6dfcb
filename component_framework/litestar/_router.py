"""The component endpoints as a Litestar ``Router``: ``POST event``, ``POST stream``,
``POST htmx``, ``upload`` (files in chunks), ``GET cf.js`` and the ``ws`` WebSocket.

A translation of Litestar's request and response types around core's HTTP and WebSocket
layers; Litestar's own guards, middleware and authentication apply as to any router, and
``request.user`` reaches the permission classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, Router, get, post, route
from litestar.response import Stream

from component_framework.core import ComponentWebSocketManager, ws_manager
from component_framework.core._backends import open_backends
from component_framework.core._http import (
    AsgiBody,
    HttpReply,
    RequestHead,
    event_reply,
    script_reply,
    stream_reply,
)
from component_framework.core._scripts import OPTIONAL_SCRIPTS
from component_framework.core._upload_http import UploadRequest, upload_reply
from component_framework.core.config import AppConfig, Limits
from component_framework.core.htmx import htmx_reply
from component_framework.core.registry import ComponentRegistry
from component_framework.core.signing import Signer

from ._websocket import socket_handler

__all__ = ["create_router"]


def _response(reply: HttpReply) -> Response[Any]:
    """Core's reply as a Litestar response (the whole of this host's translation out)."""
    if reply.stream is not None:
        return Stream(
            reply.stream,
            status_code=reply.status,
            media_type=reply.media_type,
            headers=reply.headers,
        )
    return Response(
        reply.body, status_code=reply.status, media_type=reply.media_type, headers=reply.headers
    )


def _head(request: Request[Any, Any, Any]) -> RequestHead:
    # Without authentication middleware Litestar has no user: permission classes see None.
    request.scope.setdefault("user", None)
    return RequestHead.from_asgi(request.scope["headers"])


def create_router(
    *,
    path: str = "/cf",
    config: AppConfig | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    secret_key: str | None = None,
    debug: bool = False,
    limits: Limits | None = None,
    guards: Sequence[Any] = (),
    manager: ComponentWebSocketManager = ws_manager,
    allowed_origins: Sequence[str] = (),
    **options: Any,
) -> Router:
    """Return a Router serving the component endpoints under *path*.

    Args:
        path: Where the endpoints live; pages send events to ``{path}/event``.
        config: The app's settings in one object (``core.config.AppConfig``); the settings
            below, when given, replace its own.
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
    options_given = {"registry": registry, "signer": signer, "limits": limits}
    given: dict[str, Any] = {k: v for k, v in options_given.items() if v is not None}
    if allowed_origins:
        given["allowed_origins"] = tuple(allowed_origins)
    app_config = AppConfig.for_app(
        "create_router", config=config, secret_key=secret_key, debug=debug, **given
    ).with_manager(manager)
    open_backends(manager)

    @post("/event", status_code=200)
    async def event(request: Request[Any, Any, Any]) -> Response[Any]:
        body = AsgiBody(request.receive)
        return _response(await event_reply(app_config, request, _head(request), body))

    @post("/stream", status_code=200)
    async def stream(request: Request[Any, Any, Any]) -> Response[Any]:
        body = AsgiBody(request.receive)
        return _response(await stream_reply(app_config, request, _head(request), body))

    @post("/htmx", status_code=200)
    async def htmx(request: Request[Any, Any, Any]) -> Response[Any]:
        body = AsgiBody(request.receive)
        return _response(await htmx_reply(app_config, request, _head(request), body))

    @get(["/cf.js", *(f"/{file}" for file in OPTIONAL_SCRIPTS.values())])
    async def script(request: Request[Any, Any, Any]) -> Response[Any]:
        name = request.url.path.rsplit("/", 1)[-1]
        version, etag = request.query_params.get("v"), request.headers.get("if-none-match")
        return _response(script_reply(version, etag, name))

    @route(["/upload", "/upload/{upload_id:str}"], http_method=["GET", "POST", "PUT", "DELETE"])
    async def upload(request: Request[Any, Any, Any]) -> Response[Any]:
        request.scope.setdefault("user", None)
        head = UploadRequest.from_asgi(
            request.method,
            request.path_params.get("upload_id"),
            request.query_params.get("offset"),
            request.scope["headers"],
        )
        return _response(await upload_reply(app_config, request, head, AsgiBody(request.receive)))

    socket = socket_handler(manager=manager, config=app_config)
    handlers = [event, stream, htmx, script, upload, socket]
    return Router(path=path, route_handlers=handlers, guards=list(guards), **options)
