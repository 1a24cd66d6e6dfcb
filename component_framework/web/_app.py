"""``ComponentApp``: the mountable ASGI app serving components to browsers."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from component_framework.core import ComponentRegistry, ComponentWebSocketManager, ws_manager
from component_framework.core._backends import open_backends
from component_framework.core._dev_key import development_key
from component_framework.core.broker import Broker
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.protocol import DEFAULT_LIMITS, Limits
from component_framework.core.registry import registry as default_registry
from component_framework.core.signing import Signer, configure

from ._http import event_endpoint, stream_endpoint
from ._socket_support import warn_without_websocket
from ._templates import TemplateHelpers
from ._websocket import websocket_endpoint

__all__ = ["ComponentApp"]

_SCRIPT = resources.files("component_framework.web").joinpath("static/cf.js").read_bytes()
_SCRIPT_VERSION = hashlib.sha256(_SCRIPT).hexdigest()[:16]


def _signer(secret_key: str | None, debug: bool) -> Signer:
    if secret_key or os.environ.get("CF_SECRET_KEY"):
        return configure(secret_key)
    if debug:
        # The project's development key, so open pages survive a restart (uvicorn --reload).
        return configure(development_key(), ephemeral=True)
    raise ConfigurationError(
        "No secret key: set CF_SECRET_KEY (a long random string, kept secret) before starting, "
        "pass ComponentApp(secret_key=...), or use ComponentApp(debug=True) in development."
    )


class ComponentApp:
    """The component endpoints as one ASGI app, to mount in any Starlette or FastAPI app.

    Routes, under *prefix*: ``POST /event`` (JSON), ``POST /stream`` (Server-Sent Events),
    ``WS /ws`` (events, subscriptions, pushes) and ``GET /cf.js``. Outside debug mode it refuses
    to start without a secret key.

    Example:

        components = ComponentApp()
        app = Starlette(routes=[Route("/", home), components.mount()])
        components.install_jinja(templates)  # {{ component("counter") }}, {{ cf_scripts() }}
    """

    def __init__(
        self,
        *,
        prefix: str = "/cf",
        registry: ComponentRegistry = default_registry,
        manager: ComponentWebSocketManager | None = None,
        signer: Signer | None = None,
        secret_key: str | None = None,
        debug: bool = False,
        allowed_origins: Iterable[str] = (),
        limits: Limits = DEFAULT_LIMITS,
        max_body_bytes: int | None = None,
        body_timeout: float | None = 30.0,
        broker: Broker | str | None = None,
    ) -> None:
        """Create the app.

        Args:
            prefix: Where the app is mounted; pages send events to ``{prefix}/event``.
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

        Raises:
            ConfigurationError: No secret key outside debug mode, or the broker or the state
                store (``CF_BROKER_URL``, ``CF_STATE_STORE``) cannot work, such as a Redis URL
                without redis-py installed.
        """
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ConfigurationError(
                f"prefix {prefix!r} must start with '/' and not end with one, like '/cf'."
            )
        self.prefix = prefix
        self.registry = registry
        self.debug = debug
        self.signer = signer or _signer(secret_key, debug)
        # One manager for every app of the process (cf dev's too), so ws_manager.push_*()
        # reaches every page; each socket's messages still use this app's registry and signer.
        manager = manager or ws_manager
        if broker is not None:
            manager.use_broker(broker)
        open_backends(manager)
        self.manager = manager
        self.allowed_origins = tuple(allowed_origins)
        self.limits = limits
        self.max_body_bytes = max_body_bytes or limits.max_message_bytes
        self.body_timeout = body_timeout
        self.templates = TemplateHelpers(self)
        routes: list[BaseRoute] = []
        # Unprefixed when mounted at the prefix; prefixed when served on its own.
        for base in ("", prefix):
            routes += [
                Route(f"{base}/event", self._event, methods=["POST"], name=f"event{base}"),
                Route(f"{base}/stream", self._stream, methods=["POST"], name=f"stream{base}"),
                WebSocketRoute(f"{base}/ws", self._websocket, name=f"ws{base}"),
                Route(f"{base}/cf.js", self._script, methods=["GET", "HEAD"], name=f"js{base}"),
            ]
        self.router = Router(routes=routes)
        warn_without_websocket()

    def __repr__(self) -> str:
        return f"<ComponentApp prefix={self.prefix!r} components={len(self.registry)}>"

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
        return _SCRIPT_VERSION

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

    # ---------- Endpoints ----------

    async def _event(self, request: Request) -> Response:
        return await event_endpoint(self, request)

    async def _stream(self, request: Request) -> Response:
        return await stream_endpoint(self, request)

    async def _websocket(self, websocket: WebSocket) -> None:
        await websocket_endpoint(self, websocket)

    async def _script(self, request: Request) -> Response:
        etag = f'"{_SCRIPT_VERSION}"'
        versioned = request.query_params.get("v") == _SCRIPT_VERSION
        headers = {
            "ETag": etag,
            "Cache-Control": "public, max-age=31536000, immutable" if versioned else "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(_SCRIPT, media_type="text/javascript; charset=utf-8", headers=headers)
