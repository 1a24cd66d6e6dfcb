"""The one message-handling path that every transport (HTTP, SSE, WebSocket, ``cf dispatch``) uses.

A request is the seed's WebSocket message::

    {"type": "component_event", "component": NAME, "component_id": ID, "event": EVENT | null,
     "payload": {...}, "state": STATE_JSON | null, "checksum": CHECKSUM | null}

and the reply is either ``{"type": "component_update", "html", "state", "checksum",
"component_id", "slots", "subscribe_token"}`` or ``{"type": "error", "error", "code"}``.

Everything the client sent is checked before any component code runs, in this order: message
shape and limits, component name, event name, permissions, state checksum, payload against the
handler's signature. Sync handlers run in one worker thread per message (mount or hydrate,
handler, render, dehydrate and signing together), so they never block the event loop; only a
handler that provably cannot block (it calls nothing; see ``_nonblocking``) runs on the loop.

Example::

    reply = await handle_message(message, request=request)
    status = http_status(reply)
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from ._events import HandlerSpec, handler_spec
from ._json import canonical_dumps, check_depth
from ._nonblocking import runs_on_loop
from .component import Component, StateSerializer
from .exceptions import ComponentError, MessageError, StateTooLargeError
from .permissions import check_permissions
from .registry import ComponentRegistry, registry
from .signing import Signer, get_signer
from .streaming import StreamingComponent

__all__ = [
    "Limits",
    "ParsedEvent",
    "dispatch_message",
    "dispatch_message_sync",
    "error_reply",
    "handle_message",
    "http_status",
    "load_message",
    "make_message",
    "parse_message",
    "render_component",
    "stream_frames",
    "stream_message",
]

logger = logging.getLogger("component_framework")

_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_INTERNAL_ERROR = "Internal error while handling the event; it has been logged."
_STATUS_BY_CODE = {"internal_error": 500}


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits on untrusted input.

    Attributes:
        max_message_bytes: Largest raw message accepted (413 beyond).
        max_depth: Deepest nesting of objects and arrays in a payload.
    """

    max_message_bytes: int = 1024 * 1024
    max_depth: int = 32


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class ParsedEvent:
    """A message that passed every check and may now run component code."""

    name: str
    component_cls: type[Component]
    component_id: str | None
    event: str | None
    payload: dict[str, Any]
    state: dict[str, Any] | None
    spec: HandlerSpec | None
    trusted_id: bool = True
    """Whether the server chose or signed the component id (only then is a push token issued)."""

    @property
    def runs_async(self) -> bool:
        """Whether the handler must run on the event loop rather than in a worker thread."""
        return self.spec is not None and (self.spec.is_async or self.spec.is_generator)


def load_message(raw: str | bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Decode a raw message as every transport must: size limit, strict JSON (no NaN).

    Raises:
        StateTooLargeError: The message is over ``limits.max_message_bytes``.
        MessageError: It is not valid JSON (the message gives the position).
    """
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode())
    if size > limits.max_message_bytes:
        raise StateTooLargeError(
            f"Message is {size:,} bytes (limit: {limits.max_message_bytes:,})."
        )
    try:
        # As json.loads does: bytes in any JSON encoding; text with a BOM is refused.
        text = raw
        if isinstance(text, bytes):
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        if text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise MessageError(
            f"Message is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."
        ) from None
    except RecursionError:
        raise MessageError("Message is nested too deeply.") from None
    except UnicodeDecodeError:
        raise MessageError("Message is not valid JSON.") from None


def _refuse_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity, which are not JSON and cannot be sent back.
    raise MessageError(f"Message is not valid JSON: {name} is not a JSON value.")


# Built once: json.loads(raw, parse_constant=...) builds a decoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _field(message: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = message.get(key)
    if value is not None and not isinstance(value, kind):
        raise MessageError(f"Field {key!r} must be {what}, got {type(value).__name__}.")
    return value


def parse_message(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ParsedEvent:
    """Check a ``component_event`` message completely, running no component code.

    Raises:
        ComponentError: The matching subclass for the first problem found (see ``exceptions``).
    """
    if isinstance(message, str | bytes):
        message = load_message(message, limits)
    if not isinstance(message, Mapping):
        raise MessageError(f"Message must be a JSON object, got {type(message).__name__}.")
    kind = message.get("type", "component_event")
    if kind != "component_event":
        raise MessageError(f"Message type must be 'component_event', got {kind!r}.")
    name = message.get("component")
    if not isinstance(name, str) or not name:
        raise MessageError("Field 'component' is required and must be a non-empty string.")
    component_id = _field(message, "component_id", str, "a string")
    if component_id is not None and not _ID_PATTERN.fullmatch(component_id):
        raise MessageError(
            "Field 'component_id' must be 1-128 letters, digits or '_.:-' characters."
        )
    event = _field(message, "event", str, "a string")
    payload = _field(message, "payload", dict, "an object") or {}
    if not check_depth(payload, limits.max_depth):
        raise MessageError(f"Payload is nested deeper than {limits.max_depth} levels.")
    state_json = _field(message, "state", (str, dict), "a JSON string")

    component_cls = registry.resolve(name)
    spec = handler_spec(component_cls, event) if event else None
    check_permissions(component_cls, request)

    state: dict[str, Any] | None = None
    if state_json is not None:
        if component_id is None:
            raise MessageError("Field 'component_id' is required when 'state' is sent.")
        if isinstance(state_json, dict):
            try:
                state_json = canonical_dumps(state_json)
            except (TypeError, ValueError):
                raise MessageError("Field 'state' must hold only JSON values.") from None
        StateSerializer.check_size(state_json)
        state = (signer or get_signer()).verify_state(
            name, component_id, state_json, message.get("checksum")
        )
    if spec is not None and event is not None:
        payload = component_cls._check_payload(spec, event, payload)
    # A client may name any id when it mounts without state; a subscription token for it would
    # let one page watch pushes meant for another, so such ids get none.
    trusted_id = component_id is None or state is not None
    return ParsedEvent(name, component_cls, component_id, event, payload, state, spec, trusted_id)


def _instantiate(parsed: ParsedEvent, params: Mapping[str, Any] | None) -> Component:
    if parsed.component_id is not None:
        return parsed.component_cls(**{**(params or {}), "component_id": parsed.component_id})
    return parsed.component_cls(**(params or {}))


def _update(
    name: str, result: dict[str, Any], signer: Signer, trusted_id: bool = True
) -> dict[str, Any]:
    component_id = result["component_id"]
    state_json = StateSerializer.serialize_canonical(result["state"])
    reply = {
        "type": "component_update",
        "html": result["html"],
        "state": state_json,
        "checksum": signer.sign(name, component_id, state_json),
        "component_id": component_id,
        "slots": result["slots"],
        "subscribe_token": signer.subscription_token(name, component_id) if trusted_id else None,
    }
    if "stream_done" in result:
        reply["stream_done"] = result["stream_done"]
    return reply


def _run_sync(
    parsed: ParsedEvent, params: Mapping[str, Any] | None, signer: Signer
) -> dict[str, Any]:
    component = _instantiate(parsed, params)
    result = component.dispatch(parsed.event, parsed.payload, parsed.state)
    return _update(parsed.name, result, signer, parsed.trusted_id)


async def _run(
    parsed: ParsedEvent, params: Mapping[str, Any] | None, signer: Signer
) -> dict[str, Any]:
    if not parsed.runs_async:
        if params is None and runs_on_loop(parsed):  # it cannot block: the hop costs more
            return _run_sync(parsed, params, signer)
        # Imported here: a caller without an event loop (cf dispatch) never needs asyncio.
        from ._offload import run_sync

        return await run_sync(_run_sync, parsed, params, signer)
    component = _instantiate(parsed, params)
    result = await component.async_dispatch(parsed.event, parsed.payload, parsed.state)
    return _update(parsed.name, result, signer, parsed.trusted_id)


def error_reply(exc: BaseException) -> dict[str, Any]:
    """Return the wire reply for *exc*: its safe message for a ComponentError, else generic."""
    if isinstance(exc, ComponentError):
        return {"type": "error", "error": str(exc), "code": exc.code}
    logger.error("Unexpected error while handling a component message", exc_info=exc)
    return {"type": "error", "error": _INTERNAL_ERROR, "code": "internal_error"}


def http_status(reply: Mapping[str, Any]) -> int:
    """Return the HTTP status for a reply: 200 for an update, else the error code's status."""
    if reply.get("type") != "error":
        return 200
    return _STATUS_BY_CODE.get(reply.get("code", ""), 500)


def _index_status_codes() -> None:
    stack: list[type[ComponentError]] = [ComponentError]
    while stack:
        cls = stack.pop()
        _STATUS_BY_CODE.setdefault(cls.code, cls.status)
        stack.extend(cls.__subclasses__())


_index_status_codes()


async def dispatch_message(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Handle one ``component_event`` message and return its ``component_update`` reply.

    Args:
        message: The raw JSON text or the decoded object.
        request: The transport's request, passed to permission classes.
        registry: Where component names are looked up.
        signer: Signs and verifies state; defaults to the process-wide signer.
        limits: Size and depth limits on the message.
        params: Trusted mount parameters from the server (never from the client).

    Raises:
        ComponentError: The subclass matching the problem; see :func:`handle_message`.
    """
    signer = signer or get_signer()
    parsed = parse_message(message, request, registry=registry, signer=signer, limits=limits)
    return await _run(parsed, params, signer)


def dispatch_message_sync(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Handle one message like :func:`dispatch_message`, for a caller with no event loop.

    A sync handler runs in the calling thread (there is no loop to keep free); an async one in
    a fresh event loop, so this must not be called from a running loop (use
    :func:`dispatch_message` there). ``cf dispatch`` runs components through this.

    Raises:
        ComponentError: The subclass matching the problem; see :func:`handle_message`.
        RuntimeError: An async handler was dispatched from a running event loop.
    """
    signer = signer or get_signer()
    parsed = parse_message(message, request, registry=registry, signer=signer, limits=limits)
    if not parsed.runs_async:
        return _run_sync(parsed, params, signer)
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_run(parsed, params, signer))
    raise RuntimeError(
        f"on_{parsed.event} is async and an event loop is running: await dispatch_message() "
        "instead of calling dispatch_message_sync()."
    )


async def handle_message(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Handle one message like :func:`dispatch_message`, but turn every error into a reply.

    Never raises for bad input: the reply is ``{"type": "error", "error", "code"}`` with a
    message safe for the client; unexpected exceptions are logged and reported generically.
    """
    try:
        return await dispatch_message(
            message, request, registry=registry, signer=signer, limits=limits, params=params
        )
    except Exception as exc:
        return error_reply(exc)


async def stream_frames(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AsyncIterator[dict[str, Any]]:
    """Handle a message as a stream: one ``component_update`` per frame, ``stream_done`` last.

    Only an async-generator handler of a :class:`StreamingComponent` yields several frames;
    any other message yields one final frame, sync handlers running in a worker thread.

    Raises:
        ComponentError: As :func:`dispatch_message`, possibly after some frames.
    """
    signer = signer or get_signer()
    parsed = parse_message(message, request, registry=registry, signer=signer, limits=limits)
    if not issubclass(parsed.component_cls, StreamingComponent) or not parsed.runs_async:
        reply = await _run(parsed, None, signer)
        reply["stream_done"] = True
        yield reply
        return
    component = cast(StreamingComponent, _instantiate(parsed, None))
    async for frame in component.async_stream_dispatch(parsed.event, parsed.payload, parsed.state):
        yield _update(parsed.name, frame, signer, parsed.trusted_id)


async def stream_message(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AsyncIterator[dict[str, Any]]:
    """Like :func:`stream_frames`, but an error ends the stream with one error reply."""
    try:
        async for frame in stream_frames(
            message, request, registry=registry, signer=signer, limits=limits
        ):
            yield frame
    except Exception as exc:
        yield error_reply(exc)


def render_component(
    name: str,
    request: Any = None,
    *,
    params: Mapping[str, Any] | None = None,
    component_id: str | None = None,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """Mount and render a component on the server (a page's first render); return the update.

    Raises:
        ComponentError: Unknown component, permission refused, or the component failed.
    """
    signer = signer or get_signer()
    message: dict[str, Any] = {"component": name, "component_id": component_id}
    parsed = parse_message(message, request, registry=registry, signer=signer)
    parsed.trusted_id = True  # the server chose this id
    return _run_sync(parsed, params, signer)


def make_message(
    name: str,
    event: str | None = None,
    payload: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    *,
    component_id: str | None = None,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """Build a ``component_event`` message, signing *state* as the server would have.

    For trusted callers only (``cf dispatch``, tests): it vouches for *state*.
    """
    message: dict[str, Any] = {
        "type": "component_event",
        "component": name,
        "component_id": component_id,
        "event": event,
        "payload": payload or {},
        "state": None,
        "checksum": None,
    }
    if state is not None:
        if component_id is None:
            component_id = message["component_id"] = "component-cli"
        state_json, checksum = (signer or get_signer()).sign_state(name, component_id, state)
        message["state"], message["checksum"] = state_json, checksum
    return message
