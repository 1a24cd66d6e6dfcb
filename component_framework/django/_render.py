"""A component's root element and cf.js's ``<script>`` tag, for Django pages.

Both template tags (``{% component %}``, ``{% cf_scripts %}``) and the Jinja2 globals call these.
The root element has the shape cf.js reads on every transport::

    <div data-cf-component="counter" data-cf-id="..." data-cf-state="{...}"
         data-cf-checksum="..." data-cf-token="..." data-cf-endpoint="/cf">...</div>
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import Any

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from component_framework.core._script import script_bytes, script_version
from component_framework.core.exceptions import NotAuthenticatedError, PermissionDeniedError
from component_framework.core.protocol import render_component
from component_framework.core.streaming import StreamingComponent

from ._config import config
from ._websocket import websocket_enabled

__all__ = [
    "current_request",
    "endpoint",
    "jinja_globals",
    "render_component_html",
    "render_scripts_html",
    "script_bytes",
    "script_version",
    "set_current_request",
]

logger = logging.getLogger("component_framework")

_request: ContextVar[Any] = ContextVar("component_framework_django_request", default=None)


def current_request() -> Any:
    """The Django request being served (set by the views and tags), or None."""
    return _request.get()


def set_current_request(request: Any) -> None:
    """Record *request* as the one being served, for nested component renders."""
    _request.set(request)


def endpoint() -> str:
    """The URL path the component endpoints are served under (``/cf`` for ``path("cf/", ...)``)."""
    path: str = reverse("cf:event")
    return path.removesuffix("/event")


def _attributes(pairs: dict[str, str | None]) -> str:
    return "".join(
        f" {name}" if value is None else f' {name}="{escape(value)}"'
        for name, value in pairs.items()
    )


def render_component_html(name: str, request: Any = None, /, **params: Any) -> SafeString:
    """Render component *name* mounted with *params* inside its root element.

    *request* reaches the permission classes; a refusal renders the root with the message.

    Raises:
        ComponentError: Unknown component (a bug in the page), or the component failed.
    """
    request = request if request is not None else current_request()
    settings = config()
    component_cls = settings.registry.resolve(name)
    attributes: dict[str, str | None] = {"data-cf-component": name}
    try:
        reply = render_component(
            name, request, params=params, registry=settings.registry, signer=settings.signer
        )
    except (NotAuthenticatedError, PermissionDeniedError) as exc:
        attributes["data-cf-endpoint"] = endpoint()
        error = f'<div role="alert" data-cf-error>{escape(str(exc))}</div>'
        return mark_safe(f"<div{_attributes(attributes)}>{error}</div>")
    attributes.update(
        {
            "data-cf-id": reply["component_id"],
            "data-cf-state": reply["state"],
            "data-cf-checksum": reply["checksum"],
            "data-cf-token": reply["subscribe_token"],
            "data-cf-endpoint": endpoint(),
        }
    )
    if issubclass(component_cls, StreamingComponent):
        attributes["data-cf-stream"] = None
    live = component_cls.live
    over_socket = component_cls.transport == "ws"
    if (live or over_socket) and websocket_enabled():
        if live:
            attributes["data-cf-live"] = None
        if over_socket:
            attributes["data-cf-transport"] = "ws"
    elif live or over_socket:
        logger.warning(
            "Component %r is live but Django Channels is not set up: its events go over HTTP "
            "and it gets no server pushes (see docs/django.md, 'WebSocket').",
            name,
        )
    if "optimistic" in reply:
        attributes["data-cf-optimistic"] = json.dumps(reply["optimistic"], separators=(",", ":"))
    # reply["html"] was rendered by the component's (autoescaping) renderer.
    return mark_safe(f"<div{_attributes(attributes)}>{reply['html']}</div>")


def render_scripts_html(request: Any = None) -> SafeString:
    """The ``<script>`` tag loading cf.js, carrying the page's CSRF token for cf.js to send."""
    request = request if request is not None else current_request()
    base = endpoint()
    attributes: dict[str, str | None] = {
        "src": f"{base}/cf.js?v={script_version()}",
        "defer": None,
        "data-cf-base": base,
    }
    if request is not None:
        headers = {"X-CSRFToken": get_token(request)}
        attributes["data-cf-headers"] = json.dumps(headers, separators=(",", ":"))
    return mark_safe(f"<script{_attributes(attributes)}></script>")


def jinja_globals() -> dict[str, Any]:
    """``component`` and ``cf_scripts`` for Jinja2 templates (Django's backend or components)."""
    import jinja2

    @jinja2.pass_context
    def component(context: Any, name: str, /, **params: Any) -> SafeString:
        return render_component_html(name, context.get("request"), **params)

    @jinja2.pass_context
    def cf_scripts(context: Any) -> SafeString:
        return render_scripts_html(context.get("request"))

    return {"component": component, "cf_scripts": cf_scripts}
