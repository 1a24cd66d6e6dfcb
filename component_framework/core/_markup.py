"""The HTML every host puts into pages: a component's root element and cf.js's script tags.

One implementation for the Starlette transport, the Django and the Litestar adapters. The
root element has the shape cf.js reads on every transport:

    <div data-cf-component="counter" data-cf-id="..." data-cf-state="{...}"
         data-cf-checksum="..." data-cf-token="..." data-cf-endpoint="/cf"
         data-cf-mount="{...}" data-cf-mount-checksum="...">...</div>

The mount attributes let the page have the component mounted again when the server cannot use
its state (``_recovery``).

A permission refusal, or a store that cannot take the component's state, renders the root with
the message (``role="alert"``), not the component: the rest of the page is served.

``nested_component`` is core's own ``component`` template global (every ``JinjaRenderer`` has
it): a component template that nests ``{{ component("child") }}`` renders on every path, with
the config of the message being run and the endpoint of the page being rendered; a host's own
global (a page's templates) replaces it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ._execution import current_config, current_request
from ._held_state import store_for
from ._recovery import mount_attributes
from ._scripts import script_file
from ._url_claims import claim_url_names
from .config import DEFAULT_CONFIG, AppConfig
from .exceptions import (
    InvalidUrlError,
    NotAuthenticatedError,
    PermissionDeniedError,
    StoreFullError,
)
from .lazy import lazy_attributes
from .polling import poll_attributes
from .protocol import render_component
from .streaming import StreamingComponent
from .url_state import url_spec, without

if TYPE_CHECKING:
    from .component import Component

__all__ = [
    "asgi_query",
    "attributes",
    "component_root",
    "nested_component",
    "page_request",
    "render_from_query",
    "script_tag",
    "url_notice",
]

# The endpoint and socket choice of the page being rendered, for the components it nests.
_host: ContextVar[tuple[str | None, bool]] = ContextVar(
    "component_framework_host", default=(None, True)
)


def attributes(pairs: Mapping[str, str | None]) -> str:
    """`` name="value"`` for each pair, escaped; a ``None`` value gives a bare attribute."""
    return "".join(
        f" {name}" if value is None else f' {name}="{escape(value)}"'
        for name, value in pairs.items()
    )


def page_request(context: Any) -> Any:
    """The request a template renders for: its context's ``request``, else the request being
    served (a nested component's template has none of its own)."""
    request = context.get("request")
    return request if request is not None else current_request()


def asgi_query(request: Any) -> str | None:
    """The query string of an ASGI framework's request (Starlette, Litestar), else None."""
    scope = getattr(request, "scope", None)
    if not isinstance(scope, dict) or scope.get("type") != "http":
        return None
    raw = scope.get("query_string", b"")
    return raw.decode("latin-1") if isinstance(raw, bytes) else None


def component_root(
    name: str,
    request: Any,
    *,
    params: Mapping[str, Any],
    config: AppConfig,
    endpoint: str | None,
    sockets: bool = True,
    query: str | None = None,
) -> Markup:
    """Render component *name* for *request* (permissions) inside its root element.

    Args:
        name: The registered component.
        request: Reaches the permission classes (and nested components, as the current
            request).
        params: Mount parameters (from the template: trusted).
        config: The app's registry (where *name* is looked up), signer and stores.
        endpoint: Where the page sends the component's events (``data-cf-endpoint``); None
            leaves it to cf.js (the script tag's ``data-cf-base``).
        sockets: Whether the host serves the WebSocket; without it a live component's root
            asks for no socket (its events go over HTTP).
        query: The page's query string, where the component reads its URL state. Values
            that do not fit are left out, and the root shows why (``role="alert"``).

    Raises:
        ComponentError: Unknown component (a bug in the page), or the component failed.
        ConfigurationError: Another component of the page keeps one of its URL keys.
    """
    component_cls = config.registry.resolve(name)
    spec = url_spec(component_cls)
    if spec is not None and query is not None:  # a page's render, reading its URL
        claim_url_names(request, name, spec)
    pairs: dict[str, str | None] = {"data-cf-component": name}
    notice = ""
    if component_cls.lazy and component_cls.transport != "htmx":
        return _lazy_root(component_cls, name, request, params, config, endpoint, sockets)
    host = _host.set((endpoint, sockets))
    try:
        reply, url_error = render_from_query(
            name, request, params=params, config=config, query=query
        )
        if url_error is not None:
            notice = url_notice(url_error)
    except (NotAuthenticatedError, PermissionDeniedError, StoreFullError) as exc:
        if endpoint is not None:
            pairs["data-cf-endpoint"] = endpoint
        error = f'<div role="alert" data-cf-error>{escape(str(exc))}</div>'
        return Markup(f"<div{attributes(pairs)}>{error}</div>")
    finally:
        _host.reset(host)
    if component_cls.transport == "htmx":
        from .htmx import first_render_effects, root_html

        first_render_effects(name, reply)
        return root_html(name, reply)
    pairs.update(
        {
            "data-cf-id": reply["component_id"],
            "data-cf-state": reply["state"],
            "data-cf-checksum": reply["checksum"],
            "data-cf-token": reply["subscribe_token"],
        }
    )
    if endpoint is not None:
        pairs["data-cf-endpoint"] = endpoint
    signer = config.signer
    pairs.update(mount_attributes(component_cls, name, reply["component_id"], params, signer))
    if issubclass(component_cls, StreamingComponent):
        pairs["data-cf-stream"] = None
    pairs.update(_page_attributes(component_cls, config, sockets))
    if "effects" in reply:
        # Asked for by mount or before_render: the page runs them once cf.js starts the root.
        pairs["data-cf-effects"] = json.dumps(reply["effects"], separators=(",", ":"))
    if "optimistic" in reply:
        pairs["data-cf-optimistic"] = json.dumps(reply["optimistic"], separators=(",", ":"))
    # reply["html"] was rendered by the component's (autoescaping) renderer.
    return Markup(f"<div{attributes(pairs)}>{notice}{reply['html']}</div>")


def _page_attributes(
    component_cls: type[Component], config: AppConfig, sockets: bool
) -> dict[str, str | None]:
    # How the page treats the root: pushes, its transport, polls, its URL state.
    pairs: dict[str, str | None] = {}
    if sockets and component_cls.live:
        pairs["data-cf-live"] = None
    if sockets and component_cls.transport == "ws":
        pairs["data-cf-transport"] = "ws"
    pairs.update(poll_attributes(component_cls))
    if url_spec(component_cls) is not None:
        # Back and forward restore it from the history entry, unless its state is on the
        # server (the entry's reference would be stale) or it asks for fresh rows: then from
        # the URL.
        held = store_for(component_cls, config) is not None
        fresh = held or not component_cls.restore_from_history
        pairs["data-cf-url"] = "server" if fresh else "history"
    return pairs


def _lazy_root(
    component_cls: type[Component],
    name: str,
    request: Any,
    params: Mapping[str, Any],
    config: AppConfig,
    endpoint: str | None,
    sockets: bool,
) -> Markup:
    # A placeholder now; cf.js has the component mounted when the page asks (core.lazy).
    pairs: dict[str, str | None] = {"data-cf-component": name}
    if endpoint is not None:
        pairs["data-cf-endpoint"] = endpoint
    try:
        lazy, placeholder = lazy_attributes(
            component_cls, name, request, params=params, config=config
        )
    except (NotAuthenticatedError, PermissionDeniedError) as exc:
        error = f'<div role="alert" data-cf-error>{escape(str(exc))}</div>'
        return Markup(f"<div{attributes(pairs)}>{error}</div>")
    pairs.update(lazy)
    pairs.update(_page_attributes(component_cls, config, sockets))
    return Markup(f"<div{attributes(pairs)}>{placeholder}</div>")


def render_from_query(
    name: str, request: Any, *, params: Mapping[str, Any], config: AppConfig, query: str | None
) -> tuple[dict[str, Any], InvalidUrlError | None]:
    """A page's first render of component *name* from the page's *query* string, and the
    error of the values that did not fit (None when all did).

    A hand-edited URL still renders: without the values that did not fit (their defaults),
    or without the query at all when it could not be read.
    """
    try:
        return render_component(name, request, params=params, config=config, url=query), None
    except InvalidUrlError as exc:
        query = "" if "" in exc.problems else without(query or "", exc.problems)
        reply = render_component(name, request, params=params, config=config, url=query)
        return reply, exc


# What InvalidUrlError's problems with the query string as a whole say, in a user's words.
_WHOLE_QUERY = {
    "too long": "the address is too long",
    "too many parameters": "the address has too many parameters",
    "not Unicode": "the address holds text that is not valid Unicode",
}


def url_notice(error: InvalidUrlError) -> Markup:
    """What the root shows its user about a URL that did not fit: in their words, not the
    component's class name, with what to do."""
    detail = "; ".join(
        f"{name}: {problem}" if name else _WHOLE_QUERY.get(problem, f"the address: {problem}")
        for name, problem in error.problems.items()
    )
    text = (
        f"This page's address has values it cannot use, so it shows its defaults instead "
        f"({detail}). Check the link, or choose again on the page."
    )
    return Markup('<div role="alert" data-cf-error="url">{}</div>').format(text)


def nested_component(context: Any, name: str, /, **params: Any) -> Markup:
    """``{{ component(name, **params) }}`` in a component template, on any path.

    Rendered for the request being served, with the config of the message being run (the
    process-wide defaults outside one) and the endpoint of the page being rendered (outside a
    page render, none: cf.js sends to its script tag's ``data-cf-base``).
    """
    endpoint, sockets = _host.get()
    config = current_config() or DEFAULT_CONFIG
    return component_root(
        name,
        page_request(context),
        params=params,
        config=config,
        endpoint=endpoint,
        sockets=sockets,
    )


def script_tag(
    base: str,
    version: str,
    headers: Mapping[str, str] | None = None,
    scripts: Iterable[str] = (),
) -> Markup:
    """The deferred ``<script>`` loading cf.js from *base*, cache-busted by *version*, then one
    for each optional script of *scripts* (``"navigate"``: ``cf-navigate.js``), in that order.

    *headers* (``data-cf-headers``) are sent by cf.js with every request: a CSRF token.

    Raises:
        ConfigurationError: An unknown optional script.
    """
    pairs: dict[str, str | None] = {
        "src": f"{base}/cf.js?v={version}",
        "defer": None,
        "data-cf-base": base,
    }
    if headers:
        pairs["data-cf-headers"] = json.dumps(dict(headers), separators=(",", ":"))
    tags = [f"<script{attributes(pairs)}></script>"]
    for name in scripts:
        optional = {"src": f"{base}/{script_file(name)}?v={version}", "defer": None}
        tags.append(f'<script{attributes(optional)} data-cf-script="{escape(name)}"></script>')
    return Markup("".join(tags))
