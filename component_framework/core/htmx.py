"""htmx interop: a component driven by htmx attributes instead of cf.js.

A component with ``transport = "htmx"`` renders its root for htmx: the root carries the
signed state in ``hx-vals`` (inherited by every request from inside it) and is the target of
their replies (``hx-target="this"``, ``hx-swap="outerHTML"``). Its template sends events with
plain htmx attributes, to the host's ``{prefix}/htmx`` endpoint:

    <button hx-post="/cf/htmx" name="cf-event" value="increment">+1</button>
    <form hx-post="/cf/htmx" hx-vals='{"cf-event": "add"}'><input name="text"></form>

The request is htmx's form-encoded body: the root's ``cf-component``, ``cf-id``, ``cf-state``
and ``cf-checksum``, the ``cf-event``, an optional ``cf-payload`` (a JSON object, like cf.js's
``cf-payload``), and every other field as a payload argument (under ``form_data`` for a form's
``submit`` or a handler whose one argument is ``form_data``). It goes through the same message
path as every transport (permissions, signature, payload validation, rate limits); the reply is
the root rendered anew, carrying the new signed state for the next request. A refusal keeps
the component and fills its error box (``role="alert"``) with the message, with the real status.
The reply's effects become htmx's own response headers (``core._htmx_effects``); those of a
first render cannot reach htmx and are logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from markupsafe import Markup, escape

from ._events import handler_spec
from ._htmx_effects import htmx_effects
from ._http import NO_STORE, Body, HttpReply, Refused, RequestHead, _check_head, _check_size, _read
from ._json import wire_json
from ._reply import error_reply, http_status
from .component import Component
from .config import AppConfig
from .exceptions import ComponentError, MessageError
from .form import FormComponent
from .protocol import handle_message
from .registry import ComponentRegistry

__all__ = [
    "FIELDS",
    "ROUTE",
    "error_html",
    "first_render_effects",
    "htmx_reply",
    "htmx_reply_sync",
    "message_from_form",
    "root_html",
]

logger = logging.getLogger("component_framework")

_HTML = "text/html; charset=utf-8"

ROUTE = "/htmx"
"""Where a host serves the htmx endpoint, under its prefix: ``/cf/htmx``."""

FIELDS = frozenset({"cf-component", "cf-id", "cf-state", "cf-checksum", "cf-event", "cf-payload"})
"""The form fields the protocol reads; every other field is a payload argument."""

# htmx swaps no 4xx reply by default: the root lets the one refusal it is sent through.
_SWAP_REFUSALS = (
    "if (event.detail.xhr.getResponseHeader('X-CF-Error')) "
    "{ event.detail.shouldSwap = true; event.detail.isError = false; }"
)


def _attributes(pairs: Mapping[str, str | None]) -> str:
    from ._markup import attributes

    return attributes(pairs)


def root_html(name: str, reply: Mapping[str, Any]) -> Markup:
    """The htmx root of component *name* from its update *reply*: the HTML, and the signed
    state the next request sends (``hx-vals``)."""
    component_id = str(reply["component_id"])
    values = {
        "cf-component": name,
        "cf-id": component_id,
        "cf-state": reply["state"],
        "cf-checksum": reply["checksum"],
    }
    pairs: dict[str, str | None] = {
        "id": component_id,
        "data-cf-htmx": name,
        "hx-target": "this",
        "hx-swap": "outerHTML",
        "hx-vals": wire_json(values),
        "hx-on:htmx:before-swap": _SWAP_REFUSALS,
    }
    box = '<div data-cf-error role="alert" hidden></div>'
    # reply["html"] was rendered by the component's (autoescaping) renderer.
    return Markup(f"<div{_attributes(pairs)}>{box}{reply['html']}</div>")


def first_render_effects(name: str, reply: Mapping[str, Any]) -> None:
    """Log the effects the first render of htmx component *name* asked for: a page render has
    no htmx reply to carry them (docs/htmx.md, "Effects")."""
    if reply.get("effects"):
        kinds = ", ".join(sorted({str(e.get("type")) for e in reply["effects"]}))
        logger.warning(
            "%s (transport='htmx') asked for effects (%s) in its first render; htmx applies "
            "effects only in the replies to its requests, so these were left out.",
            name,
            kinds,
        )


def error_html(reply: Mapping[str, Any], component_id: str | None) -> tuple[str, dict[str, str]]:
    """The body and headers of a refusal for the root of *component_id*: the message goes
    into the root's error box (``HX-Retarget``)."""
    body = f'<div data-cf-error role="alert">{escape(reply.get("error", ""))}</div>'
    headers = {"X-CF-Error": str(reply.get("code", "error"))}
    if isinstance(component_id, str):
        headers["HX-Retarget"] = f"#{component_id} > [data-cf-error]"
        headers["HX-Reswap"] = "outerHTML"
    return body, headers


def _takes_form(cls: type[Component], event: str) -> bool:
    # As cf.js sends a form: a FormComponent's submit, or a handler of form_data alone.
    if event == "submit" and issubclass(cls, FormComponent):
        return True
    try:
        spec = handler_spec(cls, event)
    except ComponentError:
        return False  # the message path refuses the event with its own error
    return set(spec.fields) == {"form_data"}


def _payload(fields: Mapping[str, list[str]], cls: type[Component], event: str | None) -> Any:
    payload: dict[str, Any] = {}
    raw = fields.get("cf-payload")
    if raw:
        try:
            payload = json.loads(raw[-1])
        except ValueError as exc:
            raise MessageError(f"Field 'cf-payload' is not JSON: {exc}.") from None
        if not isinstance(payload, dict):
            raise MessageError("Field 'cf-payload' must be a JSON object.")
    arguments = {
        key: values[0] if len(values) == 1 else values
        for key, values in fields.items()
        if key not in FIELDS
    }
    if event is not None and arguments and _takes_form(cls, event):
        return {**payload, "form_data": arguments}
    return {**arguments, **payload}


def message_from_form(raw: bytes, registry: ComponentRegistry) -> dict[str, Any]:
    """The component message of an htmx request's form-encoded body.

    Raises:
        MessageError: A field is missing or malformed.
        ComponentNotFoundError: No component is registered under ``cf-component``.
    """
    try:
        fields = parse_qs(raw.decode(), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise MessageError("The form body is not UTF-8.") from None

    def one(name: str) -> str | None:
        values = fields.get(name)
        return values[-1] if values else None

    name = one("cf-component")
    if not name:
        raise MessageError(
            "Field 'cf-component' is missing: send the request from inside the component's "
            "htmx root (its hx-vals carry it)."
        )
    event = one("cf-event") or None
    return {
        "type": "component_event",
        "component": name,
        "component_id": one("cf-id"),
        "event": event,
        "payload": _payload(fields, registry.resolve(name), event),
        "state": one("cf-state"),
        "checksum": one("cf-checksum"),
    }


def _html_reply(
    status: int,
    reply: dict[str, Any],
    message: Mapping[str, Any] | None,
    current_url: str | None = None,
) -> HttpReply:
    # The component's root for an update (its effects as htmx's headers), else the refusal
    # for its error box.
    if reply.get("type") != "error" and message is not None:
        headers, oob = htmx_effects(reply.get("effects", ()), current_url)
        html = str(root_html(message["component"], reply) + oob)
        return HttpReply(status, _HTML, {**NO_STORE, **headers}, html.encode())
    component_id = message.get("component_id") if message is not None else None
    text, headers = error_html(reply, component_id)
    if "retry_after" in reply:
        headers["Retry-After"] = str(reply["retry_after"])
    return HttpReply(status, _HTML, {**NO_STORE, **headers}, text.encode())


def _message(config: AppConfig, raw: bytes) -> dict[str, Any] | HttpReply:
    try:
        return message_from_form(raw, config.registry)
    except ComponentError as exc:
        return _html_reply(exc.status, error_reply(exc), None)


async def htmx_reply(config: AppConfig, request: Any, head: RequestHead, body: Body) -> HttpReply:
    """``POST {prefix}/htmx``: an htmx request in, the component's htmx root out.

    The same refusals as ``event_reply`` (with a form-encoded body and the ``HX-Request``
    header instead of JSON and ``X-CF-Request``), then the same message path.
    """
    raw = await _read(config, head, body, htmx=True)
    if isinstance(raw, HttpReply):
        return _html_reply(raw.status, json.loads(raw.body), None) if raw.body else raw
    message = _message(config, raw)
    if isinstance(message, HttpReply):
        return message
    reply = await handle_message(message, request, config=config)
    return _html_reply(http_status(reply), reply, message, head.current_url)


def htmx_reply_sync(
    config: AppConfig, request: Any, head: RequestHead, body: Callable[[], bytes]
) -> HttpReply:
    """``htmx_reply`` for a WSGI host (``core._wsgi_host``): a ``def`` handler runs here."""
    from ._wsgi_host import handle_message_sync

    try:
        _check_head(head, config.max_body_bytes, htmx=True)
        raw = body()
        _check_size(len(raw), config.max_body_bytes)
    except Refused as exc:
        return _html_reply(exc.status, exc.body(), None)
    message = _message(config, raw)
    if isinstance(message, HttpReply):
        return message
    reply = handle_message_sync(wire_json(message), request, config)
    return _html_reply(http_status(reply), reply, message, head.current_url)
