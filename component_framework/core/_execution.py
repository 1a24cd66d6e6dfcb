"""Running a component for a message: where its code runs, and its whole lifecycle there.

The rule (the one Starlette, FastAPI and asgiref users know): an ``async def`` handler runs on
the event loop; for any other message (a ``def`` handler, or a mount) everything that calls user
code runs in ONE worker-thread hop through ``run_sync``: the permission classes, the
payload and state checks, ``__init__``, mount or hydrate, the handler, ``before_render``,
render and slot children, ``dehydrate``, signing, and ``get_optimistic_patch``. Nothing
inspects the code to decide. A component with server-held state reads and writes its store
in that same hop (``_held_state``); an async one uses the store's async methods on the loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, cast

from . import _held_state as held_state
from ._message import DEFAULT_LIMITS, Limits, ParsedEvent, check_message
from ._optimistic import add_optimistic_patches
from ._reply import update_reply
from .component import Component
from .signing import Signer
from .streaming import StreamingComponent
from .threads import run_sync

__all__ = ["answer", "answer_in_this_thread", "answer_on_loop", "stream_answers"]


def _instantiate(parsed: ParsedEvent, params: Mapping[str, Any] | None) -> Component:
    if parsed.component_id is not None:
        return parsed.component_cls(**{**(params or {}), "component_id": parsed.component_id})
    return parsed.component_cls(**(params or {}))


def _reply(parsed: ParsedEvent, result: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    reply = update_reply(parsed.name, result, signer, parsed.trusted_id)
    return add_optimistic_patches(parsed.component_cls, reply)


def answer_in_this_thread(
    parsed: ParsedEvent,
    request: Any,
    params: Mapping[str, Any] | None,
    signer: Signer,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Check and run a message in the calling thread; return its signed reply.

    The body of the one worker-thread hop of a sync message (and of ``cf dispatch``, which has
    no event loop to keep free).
    """
    check_message(parsed, request, signer=signer, limits=limits)

    def attempt(state: dict[str, Any] | None) -> dict[str, Any]:
        return _instantiate(parsed, params).dispatch(parsed.event, parsed.payload, state)

    # Held state: the store's read and write happen here, in the same worker-thread hop.
    result = held_state.run_sync(parsed, attempt)
    return _reply(parsed, result, signer)


async def answer_on_loop(
    parsed: ParsedEvent,
    request: Any,
    params: Mapping[str, Any] | None,
    signer: Signer,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Check and run a message with an ``async def`` handler on the event loop."""
    check_message(parsed, request, signer=signer, limits=limits)

    async def attempt(state: dict[str, Any] | None) -> dict[str, Any]:
        component = _instantiate(parsed, params)
        return await component.async_dispatch(parsed.event, parsed.payload, state)

    result = await held_state.run_async(parsed, attempt)  # held state: async store IO
    return _reply(parsed, result, signer)


async def answer(
    parsed: ParsedEvent,
    request: Any,
    params: Mapping[str, Any] | None,
    signer: Signer,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Run a message where the rule says: on the loop if its handler is async, else one hop."""
    if parsed.runs_on_loop:
        return await answer_on_loop(parsed, request, params, signer, limits)
    return await run_sync(answer_in_this_thread, parsed, request, params, signer, limits)


async def stream_answers(
    parsed: ParsedEvent, request: Any, signer: Signer, limits: Limits = DEFAULT_LIMITS
) -> AsyncIterator[dict[str, Any]]:
    """Run a message as a stream: one reply per frame, ``stream_done`` on the last.

    Only an async-generator handler of a ``StreamingComponent`` yields several frames (on
    the loop); any other message is one ``answer``.
    """
    generator = parsed.spec is not None and parsed.spec.is_generator
    if not (issubclass(parsed.component_cls, StreamingComponent) and generator):
        reply = await answer(parsed, request, None, signer, limits)
        reply["stream_done"] = True
        yield reply
        return
    check_message(parsed, request, signer=signer, limits=limits)
    component = cast(StreamingComponent, _instantiate(parsed, None))

    def frames(state: dict[str, Any] | None) -> AsyncIterator[dict[str, Any]]:
        return component.async_stream_dispatch(parsed.event, parsed.payload, state)

    async for frame in held_state.run_stream(parsed, frames):  # held state: last frame writes
        reply = update_reply(parsed.name, frame, signer, parsed.trusted_id)
        if frame.get("stream_done"):
            # Patches matter only for the state the page keeps: the last frame's.
            reply = add_optimistic_patches(parsed.component_cls, reply)
        yield reply
