"""``ComponentApp``: the mountable ASGI app serving components to browsers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from component_framework.core import ComponentRegistry, ComponentWebSocketManager, ws_manager
from component_framework.core._backends import open_backends
from component_framework.core._http import (
    AsgiBody,
    HttpReply,
    RequestHead,
    event_reply,
    script_reply,
    script_version,
    stream_reply,
)
from component_framework.core._scripts import OPTIONAL_SCRIPTS
from component_framework.core._upload_http import UploadRequest, upload_reply
from component_framework.core.broker import Broker
from component_framework.core.config import AppConfig, Limits
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.htmx import htmx_reply
from component_framework.core.signing import Signer
from component_framework.core.state import StateStore

from ._templates import TemplateHelpers
from ._websocket import websocket_endpoint
from ._websocket_library import warn_without_websocket

__all__ = ["ComponentApp"]

_BODY_TIMEOUT = 30.0
_UPLOAD = ["GET", "POST", "PUT", "DELETE"]  # the endpoint answers 405 itself, with its error


def _response(reply: HttpReply) -> Response:
    """Core's reply as a Starlette response (the whole of this host's translation out)."""
    if reply.stream is not None:
        return StreamingResponse(
            reply.stream, reply.status, reply.headers, media_type=reply.media_type
        )
    return Response(reply.body, reply.status, reply.headers, media_type=reply.media_type)


class ComponentApp:
    """The component endpoints as one ASGI app, to mount in any Starlette or FastAPI app.

    Routes, under *prefix*: ``POST /event`` (JSON), ``POST /stream`` (Server-Sent Events),
    ``POST /htmx`` (htmx requests, ``core.htmx``), ``WS /ws`` (events, subscriptions, pushes),
    ``/upload`` (files in chunks, ``core.uploads``) and ``GET /cf.js``. Outside debug mode it
    refuses to start without a secret key.

    Example:

        components = ComponentApp()
        app = Starlette(routes=[Route("/", home), components.mount()])
        components.install_jinja(templates)  # {{ component("counter") }}, {{ cf_scripts() }}
    """

    def __init__(
        self,
        *,
        prefix: str = "/cf",
        config: AppConfig | None = None,
        registry: ComponentRegistry | None = None,
        manager: ComponentWebSocketManager | None = None,
        signer: Signer | None = None,
        secret_key: str | None = None,
        debug: bool = False,
        allowed_origins: Iterable[str] = (),
        limits: Limits | None = None,
        max_body_bytes: int | None = None,
        body_timeout: float | None = _BODY_TIMEOUT,
        broker: Broker | str | None = None,
        store: StateStore | str | None = None,
    ) -> None:
        """Create the app.

        Args:
            prefix: Where the app is mounted; pages send events to ``{prefix}/event``.
            config: The app's settings in one object (``core.config.AppConfig``); the
                settings below, when given, replace its own.
            registry: Where component names are looked up.
            manager: The WebSocket manager pushes go through (``ws_manager`` by default, the
                one every app of the process shares).
            signer: Signs state; by default the process-wide signer, configured here.
            secret_key: Configure the process-wide signer with this key (else CF_SECRET_KEY).
            debug: Without a key, sign with the project's development key (``.cf/secret-key``,
                made on first use) instead of refusing to start.
            allowed_origins: Origins (``https://example.com``) allowed to open the WebSocket
                besides the page's own host; ``"*"`` allows any.
            limits: Size and nesting limits on messages.
            max_body_bytes: Largest HTTP body; defaults to ``limits.max_message_bytes``.
            body_timeout: Seconds an HTTP body may take to arrive (408 beyond); ``None``
                waits as long as the client keeps the connection open.
            broker: Where pushes go between processes: a ``Broker`` or URL such as
                ``redis://localhost:6379/0``; default ``CF_BROKER_URL``, else in-memory.
            store: The state store of components that name none (a ``StateStore`` or a URL
                such as ``sqlite:///state.db``); default the project's (``CF_STATE_STORE``).

        Raises:
            ConfigurationError: No secret key outside debug mode, a bad prefix, both *config*
                and *secret_key*, or the broker or the state store (``CF_BROKER_URL``,
                ``CF_STATE_STORE``) cannot work, such as a Redis URL without redis-py installed.
        """
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ConfigurationError(
                f"prefix {prefix!r} must start with '/' and not end with one, like '/cf'."
            )
        # The settings given (those that differ from their defaults) replace the config's.
        given: dict[str, Any] = {
            k: v
            for k, v in {
                "registry": registry,
                "signer": signer,
                "limits": limits,
                "max_body_bytes": max_body_bytes,
                "broker": broker,
                "store": store,
            }.items()
            if v is not None
        }
        if tuple(allowed_origins):
            given["allowed_origins"] = tuple(allowed_origins)
        if body_timeout != _BODY_TIMEOUT:
            given["body_timeout"] = body_timeout
        config = AppConfig.for_app(
            "ComponentApp", config=config, secret_key=secret_key, debug=debug, **given
        )
        # One manager for every app of the process (cf dev's too), so ws_manager.push_*()
        # reaches every page; each socket's messages still use this app's config.
        manager = manager or ws_manager
        config = config.with_manager(manager)  # where its background tasks' results go
        self.prefix = prefix
        self.debug = debug
        self.config = config
        if config.broker is not None:
            manager.use_broker(config.broker)
        open_backends(manager)  # a broker or store that cannot work stops start-up here
        self.manager = manager
        self.templates = TemplateHelpers(self)
        routes: list[BaseRoute] = []
        # Unprefixed when mounted at the prefix; prefixed when served on its own.
        for base in ("", prefix):
            routes += [
                Route(f"{base}/event", self._event, methods=["POST"], name=f"event{base}"),
                Route(f"{base}/stream", self._stream, methods=["POST"], name=f"stream{base}"),
                Route(f"{base}/htmx", self._htmx, methods=["POST"], name=f"htmx{base}"),
                WebSocketRoute(f"{base}/ws", self._websocket, name=f"ws{base}"),
                Route(f"{base}/cf.js", self._script, methods=["GET", "HEAD"], name=f"js{base}"),
                Route(f"{base}/upload", self._upload, methods=_UPLOAD, name=f"upload{base}"),
                Route(f"{base}/upload/{{upload_id}}", self._upload, methods=_UPLOAD),
            ]
            routes += [
                Route(f"{base}/{file}", self._script, methods=["GET", "HEAD"], name=f"{file}{base}")
                for file in OPTIONAL_SCRIPTS.values()
            ]
        self.router = Router(routes=routes)
        warn_without_websocket()

    def __repr__(self) -> str:
        return f"<ComponentApp prefix={self.prefix!r} components={len(self.registry)}>"

    # ---------- Settings (held by the config) ----------

    @property
    def registry(self) -> ComponentRegistry:
        """Where component names are looked up."""
        return self.config.registry

    @property
    def signer(self) -> Signer:
        """Signs and verifies state."""
        return self.config.signer

    @property
    def limits(self) -> Limits:
        """Size and nesting limits on messages."""
        return self.config.limits

    @property
    def max_body_bytes(self) -> int:
        """Largest HTTP body."""
        return self.config.max_body_bytes

    @property
    def body_timeout(self) -> float | None:
        """Seconds an HTTP body may take to arrive."""
        return self.config.body_timeout

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """Sites besides the page's own host allowed to open the WebSocket."""
        return self.config.allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.router(scope, receive, send)

    # ---------- Mounting ----------

    def mount(self, name: str = "cf") -> Mount:
        """Return the route that mounts this app at its prefix: ``routes=[..., app.mount()]``."""
        return Mount(self.prefix, app=self, name=name)

    def install_jinja(self, target: Any) -> Any:
        """Add the ``component`` and ``cf_scripts`` globals to a Jinja environment.

        *target* is a ``jinja2.Environment``, a core ``JinjaRenderer`` or Starlette's
        ``Jinja2Templates``; it is returned, so the call can wrap the constructor.
        """
        environment = getattr(target, "env", None) or getattr(target, "environment", target)
        if not hasattr(environment, "globals"):
            raise TypeError(
                f"install_jinja() needs a jinja2.Environment, JinjaRenderer or Jinja2Templates, "
                f"got {type(target).__name__}."
            )
        environment.globals.update(self.templates.globals())
        return target

    def render(self, name: str, request: Any = None, /, **params: Any) -> str:
        """Render component *name* into its root element, as ``{{ component(...) }}`` does."""
        return str(self.templates.render(name, request, **params))

    @property
    def script_version(self) -> str:
        """Content hash of cf.js, for cache busting."""
        return script_version()

    # ---------- Server push ----------

    async def push_event(
        self, component: str, event: str, payload: dict[str, Any] | None = None
    ) -> None:
        """Send *event* to every page showing *component*; see ``ws_manager.push_event``."""
        await self.manager.push_event(component, event, payload)

    async def push_state(self, component: str, state: dict[str, Any]) -> None:
        """Replace the state of every page's *component*; see ``ws_manager.push_state``."""
        await self.manager.push_state(component, state)

    async def push_update(self, component_id: str, html: str, state: dict[str, Any]) -> None:
        """Push *html* and *state* to the pages subscribed to *component_id*."""
        await self.manager.push_update(component_id, html, state)

    # ---------- Endpoints: Starlette's request in, core's reply out ----------

    async def _event(self, request: Request) -> Response:
        head = RequestHead.from_asgi(request.scope["headers"])
        return _response(await event_reply(self.config, request, head, AsgiBody(request.receive)))

    async def _stream(self, request: Request) -> Response:
        head = RequestHead.from_asgi(request.scope["headers"])
        reply = await stream_reply(self.config, request, head, AsgiBody(request.receive))
        return _response(reply)

    async def _htmx(self, request: Request) -> Response:
        head = RequestHead.from_asgi(request.scope["headers"])
        return _response(await htmx_reply(self.config, request, head, AsgiBody(request.receive)))

    async def _upload(self, request: Request) -> Response:
        head = UploadRequest.from_asgi(
            request.method,
            request.path_params.get("upload_id"),
            request.query_params.get("offset"),
            request.scope["headers"],
        )
        return _response(await upload_reply(self.config, request, head, AsgiBody(request.receive)))

    async def _websocket(self, websocket: WebSocket) -> None:
        await websocket_endpoint(self, websocket)

    async def _script(self, request: Request) -> Response:
        version, name = request.query_params.get("v"), request.url.path.rsplit("/", 1)[-1]
        return _response(script_reply(version, request.headers.get("if-none-match"), name))
