"""The one message-handling path that every transport (HTTP, SSE, WebSocket, ``cf dispatch``) uses.

A request is the documented WebSocket message (the same on every transport):

    {"type": "component_event", "component": NAME, "component_id": ID, "event": EVENT | null,
     "payload": {...}, "state": STATE_JSON | null, "checksum": CHECKSUM | null}

and the reply is either ``{"type": "component_update", "html", "state", "checksum",
"component_id", "slots", "subscribe_token"}`` (plus ``optimistic`` for a component that
overrides ``get_optimistic_patch``) or ``{"type": "error", "error", "code"}``.

Several messages may travel as one, ``{"type": "component_batch", "messages": [...]}`` (cf.js
sends an event emitted to several components so): ``handle_message`` runs each inner message
through the same path, one after another, and replies ``{"type": "batch_reply", "replies":
[...]}``, one reply per message in order. A refused message gets its own error reply; the
others still run. A batch that is not a list of 1 to ``limits.max_batch_messages`` messages,
or that holds a batch, is refused whole (400 ``bad_batch``) and runs nothing.

The path has three steps, each in its own module: reading and validating the message
(``_message``), running the component where the rule says (``_execution``: an ``async def``
handler on the event loop, anything else whole in one worker thread), and building and signing
the reply (``_reply``). This module puts them together for each kind of caller.

Every function takes the app's ``AppConfig`` as *config*; the keyword options
*registry*, *signer* and *limits* replace the config's (without any, the process-wide
defaults apply).

Example:

    reply = await handle_message(message, request=request)
    status = http_status(reply)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ._execution import answer, answer_here, stream_answers
from ._message import (
    ParsedEvent,
    check_message,
    json_object,
    load_message,
    parse_message,
    read_message,
)
from ._reply import error_reply, http_status, signed_message
from ._reply_order import pushes_before_reply
from .config import DEFAULT_LIMITS, AppConfig, Limits, config_of
from .exceptions import BatchError, MessageError
from .registry import ComponentRegistry
from .signing import Signer

__all__ = [
    "BATCH",
    "BATCH_REPLY",
    "DEFAULT_LIMITS",
    "AppConfig",
    "Limits",
    "ParsedEvent",
    "dispatch_message",
    "dispatch_message_sync",
    "error_reply",
    "handle_batch",
    "handle_message",
    "http_status",
    "load_message",
    "parse_message",
    "render_component",
    "signed_message",
    "stream_frames",
    "stream_message",
]

_Message = str | bytes | Mapping[str, Any]

BATCH = "component_batch"
"""The ``type`` of a message holding several messages (``messages``)."""
BATCH_REPLY = "batch_reply"
"""The ``type`` of the reply to a batch: its ``replies``, one per message, in order."""


def _config(
    config: AppConfig | None,
    registry: ComponentRegistry | None,
    signer: Signer | None,
    limits: Limits | None,
) -> AppConfig:
    # A transport passes its app's config and nothing else: that is the config.
    if config is not None and registry is None and signer is None and limits is None:
        return config
    return config_of(config, registry, signer, limits)


async def dispatch_message(
    message: _Message,
    request: Any = None,
    *,
    config: AppConfig | None = None,
    params: Mapping[str, Any] | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Handle one ``component_event`` message and return its ``component_update`` reply.

    Args:
        message: The raw JSON text or the decoded object.
        request: The transport's request, passed to permission classes.
        config: The app's configuration (registry, signer, limits, store).
        params: Trusted mount parameters from the server (never from the client).
        registry: Where component names are looked up (replaces the config's).
        signer: Signs and verifies state (replaces the config's).
        limits: Size, depth and integer limits on the message (replaces the config's).

    Raises:
        ComponentError: The subclass matching the problem; see ``handle_message``.
    """
    config = _config(config, registry, signer, limits)
    return await answer(read_message(message, config), request, params, config)


def dispatch_message_sync(
    message: _Message,
    request: Any = None,
    *,
    config: AppConfig | None = None,
    params: Mapping[str, Any] | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Handle one message like ``dispatch_message``, for a caller with no event loop.

    A sync handler runs in the calling thread (there is no loop to keep free); an async one in
    a fresh event loop, so this must not be called from a running loop (use
    ``dispatch_message`` there). ``cf dispatch`` runs components through this.

    Raises:
        ComponentError: The subclass matching the problem; see ``handle_message``.
        RuntimeError: An async handler was dispatched from a running event loop.
    """
    config = _config(config, registry, signer, limits)
    parsed = read_message(message, config)
    if not parsed.runs_on_loop:
        return answer_here(parsed, request, params, config)
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(answer(parsed, request, params, config))
    raise RuntimeError(
        f"on_{parsed.event} is async and an event loop is running: await dispatch_message() "
        "instead of calling dispatch_message_sync()."
    )


async def handle_message(
    message: _Message,
    request: Any = None,
    *,
    config: AppConfig | None = None,
    params: Mapping[str, Any] | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Handle one message like ``dispatch_message``, but turn every error into a reply.

    Never raises for bad input: the reply is ``{"type": "error", "error", "code"}`` with a
    message safe for the client; unexpected exceptions are logged and reported generically.
    A ``component_batch`` gets its ``batch_reply`` (``handle_batch``).
    """
    try:
        config = _config(config, registry, signer, limits)
        if isinstance(message, str | bytes):
            message = load_message(message, config.limits)
        message = json_object(message)
        if message.get("type") == BATCH:
            async with pushes_before_reply():
                return await _answer_batch(message, request, config)
    except Exception as exc:
        return error_reply(exc)
    async with pushes_before_reply():
        return await _answer_one(message, request, params, config)


async def handle_batch(
    message: _Message,
    request: Any = None,
    *,
    config: AppConfig | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Handle a ``component_batch``: each inner message as ``handle_message`` would, in order.

    Returns ``{"type": "batch_reply", "replies": [...]}``, one reply per message (an error
    reply for a refused one), or one error reply when the batch itself is refused: not a
    ``component_batch``, no list of 1 to ``limits.max_batch_messages`` messages, or a batch
    inside it (``bad_batch``, 400). Each inner message counts once against the rate limits,
    and the whole batch against the message size limit. Never raises for bad input.
    """
    try:
        config = _config(config, registry, signer, limits)
        if isinstance(message, str | bytes):
            message = load_message(message, config.limits)
        if not isinstance(message, Mapping) or message.get("type") != BATCH:
            raise BatchError(f"A batch must be a JSON object with type {BATCH!r}.")
        async with pushes_before_reply():
            return await _answer_batch(message, request, config)
    except Exception as exc:
        return error_reply(exc)


async def _answer_batch(
    batch: Mapping[str, Any], request: Any, config: AppConfig
) -> dict[str, Any]:
    messages = batch.get("messages")
    most = config.limits.max_batch_messages
    if not isinstance(messages, list) or not messages:
        raise BatchError(f"Field 'messages' of a {BATCH} must be a non-empty list of messages.")
    if len(messages) > most:
        raise BatchError(
            f"A {BATCH} holds {len(messages)} messages (limit: {most}); "
            "send the rest in another request."
        )
    if any(isinstance(inner, Mapping) and inner.get("type") == BATCH for inner in messages):
        raise BatchError(f"A {BATCH} may not hold another batch: send its messages instead.")
    # One after another, in order: each is the one message path's (checks, rate limit, run).
    replies = []
    for index, inner in enumerate(messages):
        if isinstance(inner, Mapping):
            replies.append(await _answer_one(inner, request, None, config))
        else:
            refused = MessageError(
                f"Message {index} of the {BATCH} must be a JSON object, got {type(inner).__name__}."
            )
            replies.append(error_reply(refused))
    return {"type": BATCH_REPLY, "replies": replies}


async def _answer_one(
    message: Mapping[str, Any],
    request: Any,
    params: Mapping[str, Any] | None,
    config: AppConfig,
) -> dict[str, Any]:
    try:
        return await answer(read_message(message, config), request, params, config)
    except Exception as exc:
        return error_reply(exc)


async def stream_frames(
    message: _Message,
    request: Any = None,
    *,
    config: AppConfig | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Handle a message as a stream: one ``component_update`` per frame, ``stream_done`` last.

    Only an async-generator handler of a ``StreamingComponent`` yields several frames;
    any other message yields one final frame, sync handlers running in a worker thread.

    Raises:
        ComponentError: As ``dispatch_message``, possibly after some frames.
    """
    config = _config(config, registry, signer, limits)
    async for frame in stream_answers(read_message(message, config), request, config):
        yield frame


async def stream_message(
    message: _Message,
    request: Any = None,
    *,
    config: AppConfig | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Like ``stream_frames``, but an error ends the stream with one error reply."""
    try:
        config = _config(config, registry, signer, limits)
        async for frame in stream_answers(read_message(message, config), request, config):
            yield frame
    except Exception as exc:
        yield error_reply(exc)


def render_component(
    name: str,
    request: Any = None,
    *,
    config: AppConfig | None = None,
    params: Mapping[str, Any] | None = None,
    component_id: str | None = None,
    url: str | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """Mount and render a component on the server (a page's first render); return the update.

    Runs in the calling thread: the page's own endpoint decides where that is. *url* is the
    page's query string: the component's ``url_state`` is read from it after ``mount()``.

    Raises:
        ComponentError: Unknown component, permission refused, or the component failed.
        InvalidUrlError: *url* holds values of the wrong type for the component's URL state.
    """
    config = _config(config, registry, signer, None)
    message = {"component": name, "component_id": component_id, "url": url}
    parsed = read_message(message, config)
    check_message(parsed, request, config)
    parsed.trusted_id = True  # the server chose this id
    parsed.server_render = True
    return answer_here(parsed, request, params, config)
