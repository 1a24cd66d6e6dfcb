"""``Components``: the Flask extension serving components (endpoints, template globals, pushes).

A translation of Flask's request and response types around core's WSGI host layer: a ``def``
handler runs in the server's thread, an ``async def`` one, the WebSocket and the pushes on the
process's background loop (``core._wsgi_host``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, request
from markupsafe import Markup

from component_framework.core import ComponentWebSocketManager, ws_manager
from component_framework.core._backends import open_backends
from component_framework.core._execution import current_request
from component_framework.core._http import HttpReply, RequestHead, script_reply, script_version
from component_framework.core._markup import component_root, script_tag
from component_framework.core._scripts import OPTIONAL_SCRIPTS, page_scripts
from component_framework.core._upload_http import TOKEN_HEADER, UploadRequest, upload_reply_sync
from component_framework.core._wsgi_host import (
    background_loop,
    event_reply_sync,
    stream_reply_sync,
)
from component_framework.core.config import AppConfig, Limits
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.flash import FLASH_COOKIE, flash_region, read_flash
from component_framework.core.htmx import htmx_reply_sync
from component_framework.core.registry import ComponentRegistry
from component_framework.core.renderer import get_default_renderer, set_default_renderer
from component_framework.core.signing import Signer

from ._request import component_request, csrf_headers
from ._websocket import serve_flask_socket

__all__ = ["Components"]

_UPLOAD = ["GET", "POST", "PUT", "DELETE"]  # the endpoint answers 405 itself, with its error


def _response(reply: HttpReply) -> Response:
    """Core's reply as a Flask response (the whole of this host's translation out)."""
    body: Any = reply.stream if reply.stream is not None else reply.body
    return Response(body, status=reply.status, headers=reply.headers, mimetype=reply.media_type)


def _head() -> RequestHead:
    return RequestHead(
        request.headers.get("Content-Type"),
        bool(request.headers.get("X-CF-Request")),
        request.headers.get("Content-Length"),
        bool(request.headers.get("HX-Request")),
        request.headers.get("HX-Current-URL"),
    )


class Components:
    """Components in a Flask app: ``POST {prefix}/event``, ``POST {prefix}/stream`` (SSE),
    ``POST {prefix}/htmx`` (htmx requests), ``GET {prefix}/cf.js``, the ``{prefix}/ws``
    WebSocket, and the ``component`` and ``cf_scripts`` template globals.

    Args:
        app: The Flask app (or call ``init_app`` later, the Flask extension pattern).
        prefix: Where the endpoints live; pages send events to ``{prefix}/event``.
        config: The app's settings in one object (``core.config.AppConfig``); the settings
            below, when given, replace its own.
        registry: Where component names are looked up.
        signer: Signs state; by default the process-wide signer, configured here.
        secret_key: Configure the process-wide signer with this key (else ``CF_SECRET_KEY``).
        debug: Without a key, sign with the project's development key instead of refusing.
        limits: Size and nesting limits on messages.
        manager: Answers WebSocket messages and sends pushes (core's ``ws_manager``).
        allowed_origins: Sites besides the page's own host whose pages may open the socket.
        sockets: Serve the WebSocket (live components, pushes); ``False``: events over HTTP.
        user: Returns the user of the request being served, for apps without Flask-Login.

    Raises:
        ConfigurationError: No secret key outside debug mode, a bad prefix, or the broker or
            the state store (``CF_BROKER_URL``, ``CF_STATE_STORE``) cannot work.

    Example:

        app = Flask(__name__)
        components = Components(app, secret_key=os.environ["CF_SECRET_KEY"])
        # templates: {{ component("counter", start=3) }} ... {{ cf_scripts() }}
        # a view:    components.push_event("board", "refresh")
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        prefix: str = "/cf",
        config: AppConfig | None = None,
        registry: ComponentRegistry | None = None,
        signer: Signer | None = None,
        secret_key: str | None = None,
        debug: bool = False,
        limits: Limits | None = None,
        manager: ComponentWebSocketManager = ws_manager,
        allowed_origins: Iterable[str] = (),
        sockets: bool = True,
        user: Callable[[], Any] | None = None,
    ) -> None:
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ConfigurationError(
                f"prefix {prefix!r} must start with '/' and not end with one, like '/cf'."
            )
        options = {"registry": registry, "signer": signer, "limits": limits}
        given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        if tuple(allowed_origins):
            given["allowed_origins"] = tuple(allowed_origins)
        self.config = AppConfig.for_app(
            "Components", config=config, secret_key=secret_key, debug=debug, **given
        ).with_manager(manager)
        self.prefix = prefix
        self.manager = manager
        self.sockets = sockets
        self._user = user
        open_backends(manager)  # a broker or store that cannot work stops start-up here
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"<Components prefix={self.prefix!r} components={len(self.config.registry)}>"

    # ---------- Setting up an app ----------

    def init_app(self, app: Flask) -> None:
        """Register the endpoints and the template globals on *app*.

        Without a default renderer, component templates are rendered from the app's template
        folder with its globals (``url_for``, ...) and these, reloaded when the app debugs.
        """
        blueprint = Blueprint("cf", __name__, url_prefix=self.prefix)
        blueprint.add_url_rule("/event", "event", self._event, methods=["POST"])
        blueprint.add_url_rule("/stream", "stream", self._stream, methods=["POST"])
        blueprint.add_url_rule("/htmx", "htmx", self._htmx, methods=["POST"])
        blueprint.add_url_rule("/cf.js", "script", self._script, methods=["GET"])
        blueprint.add_url_rule("/upload", "upload", self._upload, methods=_UPLOAD)
        blueprint.add_url_rule("/upload/<upload_id>", "upload_part", self._upload, methods=_UPLOAD)
        for file in OPTIONAL_SCRIPTS.values():
            endpoint = "script_" + file.removesuffix(".js").replace("-", "_")
            blueprint.add_url_rule(f"/{file}", endpoint, self._script, methods=["GET"])
        if self.sockets:
            blueprint.add_url_rule("/ws", "ws", self._socket, websocket=True)
        app.register_blueprint(blueprint)
        app.jinja_env.globals.update(self.template_globals())
        app.extensions["component_framework"] = self
        if get_default_renderer() is None:
            from component_framework.core.jinja import JinjaRenderer

            renderer = JinjaRenderer(
                loader=app.jinja_env.loader,
                globals=app.jinja_env.globals,
                auto_reload=bool(app.debug),
            )
            set_default_renderer(renderer)

    def template_globals(self) -> dict[str, Any]:
        """The ``component``, ``cf_scripts`` and ``cf_flash`` template globals."""
        return {"component": self.render, "cf_scripts": self.scripts, "cf_flash": self.flash}

    def request(self) -> Any:
        """What the components see of the request being served (``ComponentRequest``: the
        request and its user), or the request of the message being run outside one."""
        found = component_request(self._user)
        return found if found is not None else current_request()

    def endpoint(self) -> str:
        """The URL path of the endpoints as the browser sees it (under the app's root)."""
        root = request.script_root if request else ""
        return f"{root.rstrip('/')}{self.prefix}"

    def render(self, name: str, /, **params: Any) -> Markup:
        """Render component *name* mounted with *params* inside its root element, for the
        request being served (a permission refusal renders the root with its message).

        Raises:
            ComponentError: Unknown component (a bug in the page), or the component failed.
        """
        return component_root(
            name,
            self.request(),
            params=params,
            config=self.config,
            endpoint=self.endpoint(),
            sockets=self.sockets,
            query=request.query_string.decode("latin-1") if request else None,
        )

    def flash(self) -> Markup:
        """The page's flash region (docs/navigation.md), with the messages a redirect or a
        navigation carried here (signed by this app's key; any other is ignored)."""
        token = request.cookies.get(FLASH_COOKIE) if request else None
        return flash_region(read_flash(token, self.config.signer))

    def scripts(self, *scripts: str, headers: Mapping[str, str] | None = None) -> Markup:
        """The cf.js ``<script>`` tag and those of the optional *scripts* the page uses
        (``cf_scripts("navigate")``); Flask-WTF's CSRF token (and *headers*) sent by cf.js."""
        sent = {**csrf_headers(), **(headers or {})}
        optional = page_scripts(scripts, self.config.registry)
        return script_tag(self.endpoint(), script_version(), sent, optional)

    # ---------- Server pushes, from any thread ----------

    def push_event(
        self, component: str, event: str, payload: Mapping[str, Any] | None = None
    ) -> None:
        """Send *event* to every page showing *component* (each runs it with its own state);
        from a view, a ``def`` handler or a job. See ``ws_manager.push_event``."""
        background_loop().run(self.manager.push_event(component, event, payload))

    def push_state(self, component: str, state: dict[str, Any]) -> None:
        """Replace the state of every page's *component*; see ``ws_manager.push_state``."""
        background_loop().run(self.manager.push_state(component, state))

    def push_update(self, component_id: str, html: str, state: dict[str, Any]) -> None:
        """Push *html* and *state* to the pages subscribed to *component_id*."""
        background_loop().run(self.manager.push_update(component_id, html, state))

    # ---------- Endpoints: Flask's request in, core's reply out ----------

    def _body(self) -> bytes:
        # At most one byte past the limit: enough to refuse an oversize body (413).
        return request.stream.read(self.config.max_body_bytes + 1)

    def _event(self) -> Response:
        reply = event_reply_sync(self.config, self.request(), _head(), self._body)
        return _response(reply)

    def _stream(self) -> Response:
        reply = stream_reply_sync(self.config, self.request(), _head(), self._body)
        return _response(reply)

    def _form_body(self) -> bytes:
        raw = self._body()
        if raw or not request.form:
            return raw
        # Something read request.form first (Flask-WTF's CSRF check does), which spent the
        # stream: the fields come from the parsed form instead.
        return urlencode(list(request.form.items(multi=True))).encode()

    def _htmx(self) -> Response:
        return _response(htmx_reply_sync(self.config, self.request(), _head(), self._form_body))

    def _script(self) -> Response:
        name = request.path.rsplit("/", 1)[-1]
        version, etag = request.args.get("v"), request.headers.get("If-None-Match")
        return _response(script_reply(version, etag, name))

    def _upload(self, upload_id: str | None = None) -> Response:
        head = UploadRequest(
            request.method,
            upload_id,
            request.args.get("offset"),
            request.headers.get(TOKEN_HEADER),
            bool(request.headers.get("X-CF-Request")),
            request.headers.get("Content-Length"),
        )
        return _response(upload_reply_sync(self.config, self.request(), head, request.stream.read))

    def _socket(self) -> Response:
        return serve_flask_socket(self.manager, self.config, self.request())
