"""The one message-handling path that every transport (HTTP, SSE, WebSocket, ``cf dispatch``) uses.

A request is the seed's WebSocket message:

    {"type": "component_event", "component": NAME, "component_id": ID, "event": EVENT | null,
     "payload": {...}, "state": STATE_JSON | null, "checksum": CHECKSUM | null}

and the reply is either ``{"type": "component_update", "html", "state", "checksum",
"component_id", "slots", "subscribe_token"}`` (plus ``optimistic`` for a component that
overrides ``get_optimistic_patch``) or ``{"type": "error", "error", "code"}``.

The path has three steps, each in its own module: reading and validating the message
(``_message``), running the component where the rule says (``_execution``: an ``async def``
handler on the event loop, anything else whole in one worker thread), and building and signing
the reply (``_reply``). This module puts them together for each kind of caller.

Example:

    reply = await handle_message(message, request=request)
    status = http_status(reply)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ._execution import answer, answer_in_this_thread, stream_answers
from ._message import (
    DEFAULT_LIMITS,
    Limits,
    ParsedEvent,
    load_message,
    parse_message,
    read_message,
)
from ._reply import error_reply, http_status, signed_message
from .registry import ComponentRegistry, registry
from .signing import Signer, get_signer

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "ParsedEvent",
    "dispatch_message",
    "dispatch_message_sync",
    "error_reply",
    "handle_message",
    "http_status",
    "load_message",
    "parse_message",
    "render_component",
    "signed_message",
    "stream_frames",
    "stream_message",
]


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
        limits: Size, depth and integer limits on the message.
        params: Trusted mount parameters from the server (never from the client).

    Raises:
        ComponentError: The subclass matching the problem; see ``handle_message``.
    """
    signer = signer or get_signer()
    parsed = read_message(message, registry=registry, limits=limits)
    return await answer(parsed, request, params, signer, limits)


def dispatch_message_sync(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Handle one message like ``dispatch_message``, for a caller with no event loop.

    A sync handler runs in the calling thread (there is no loop to keep free); an async one in
    a fresh event loop, so this must not be called from a running loop (use
    ``dispatch_message`` there). ``cf dispatch`` runs components through this.

    Raises:
        ComponentError: The subclass matching the problem; see ``handle_message``.
        RuntimeError: An async handler was dispatched from a running event loop.
    """
    signer = signer or get_signer()
    parsed = read_message(message, registry=registry, limits=limits)
    if not parsed.runs_on_loop:
        return answer_in_this_thread(parsed, request, params, signer, limits)
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(answer(parsed, request, params, signer, limits))
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
    """Handle one message like ``dispatch_message``, but turn every error into a reply.

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

    Only an async-generator handler of a ``StreamingComponent`` yields several frames;
    any other message yields one final frame, sync handlers running in a worker thread.

    Raises:
        ComponentError: As ``dispatch_message``, possibly after some frames.
    """
    signer = signer or get_signer()
    parsed = read_message(message, registry=registry, limits=limits)
    async for frame in stream_answers(parsed, request, signer, limits):
        yield frame


async def stream_message(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    registry: ComponentRegistry = registry,
    signer: Signer | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AsyncIterator[dict[str, Any]]:
    """Like ``stream_frames``, but an error ends the stream with one error reply."""
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

    Runs in the calling thread: the page's own endpoint decides where that is.

    Raises:
        ComponentError: Unknown component, permission refused, or the component failed.
    """
    signer = signer or get_signer()
    message: dict[str, Any] = {"component": name, "component_id": component_id}
    parsed = parse_message(message, request, registry=registry, signer=signer)
    parsed.trusted_id = True  # the server chose this id
    return answer_in_this_thread(parsed, request, params, signer)
