"""Running a component for a message: where its code runs, and its whole lifecycle there.

The rule (the one Starlette, FastAPI and asgiref users know): an ``async def`` handler runs on
the event loop; for any other message (a ``def`` handler, or a mount) everything that calls user
code runs in ONE worker-thread hop through ``run_sync``: the permission classes,
the payload and state checks, ``__init__``, mount or hydrate, the handler, ``before_render``,
render and slot children, ``dehydrate``, signing, and ``get_optimistic_patch``. Nothing
inspects the code to decide. A component with server-held state reads and writes its store
in that same hop; an async one uses the store's async methods on the loop (``_held_state``).

``run_message`` is written once over the steps seam of ``_held_state``; ``answer``
picks the place, and ``answer_here`` runs it in the calling thread.

While a message runs, its request is the current request (``current_request``): a nested
``{{ component(...) }}`` in a template sees only the template context, and every host's
``component`` global falls back to it for the permission checks (the worker-thread pool copies
context variables, so a sync component's hop sees it too). The message's ``AppConfig`` is
current the same way (``current_config``): core's own ``component`` global renders a nested
component with it on every path (``cf dispatch``, ``ComponentTester``, every host).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from ._effects import check_effects
from ._held_state import (
    ASYNC_STEPS,
    SYNC_STEPS,
    Steps,
    finish,
    run_held,
    run_stream,
    store_for,
)
from ._message import ParsedEvent, check_message
from ._optimistic import add_optimistic_patches
from ._reply import update_reply
from .component import Component
from .config import AppConfig
from .rate_limit import check_rate, limited
from .streaming import StreamingComponent
from .tasks import collecting, start_tasks
from .threads import run_sync
from .uploads import consume, with_upload_effects

__all__ = [
    "answer",
    "answer_here",
    "bind_request",
    "current_config",
    "current_request",
    "run_message",
    "stream_answers",
    "using_config",
]

_request: ContextVar[Any] = ContextVar("component_framework_request", default=None)
_config: ContextVar[AppConfig | None] = ContextVar("component_framework_config", default=None)


def current_request() -> Any:
    """Return the request of the message being run in this context, or None."""
    return _request.get()


def current_config() -> AppConfig | None:
    """Return the config of the message being run in this context, or None."""
    return _config.get()


@contextmanager
def using_config(config: AppConfig) -> Iterator[None]:
    """Make *config* current within the block, outside any message (``cf check``'s renders)."""
    token = _config.set(config)
    try:
        yield
    finally:
        _config.reset(token)


@contextmanager
def bind_request(request: Any, config: AppConfig) -> Iterator[None]:
    """Make *request* and *config* current within the block, as a message's run does (a
    pushed event run on the server: its nested components render with the app's config)."""
    token, config_token = _request.set(request), _config.set(config)
    try:
        yield
    finally:
        _request.reset(token)
        _config.reset(config_token)


def _instantiate(parsed: ParsedEvent, params: Mapping[str, Any] | None) -> Component:
    # The server's parameters (a page's render), else a remount's signed ones.
    if params is None:
        params = parsed.params
    if parsed.component_id is not None:
        component = parsed.component_cls(**{**(params or {}), "component_id": parsed.component_id})
    else:
        component = parsed.component_cls(**(params or {}))
    component._url_values = parsed.url_values
    return component


async def run_message(
    parsed: ParsedEvent,
    request: Any,
    params: Mapping[str, Any] | None,
    config: AppConfig,
    steps: Steps,
) -> dict[str, Any]:
    """Check and run a message with *steps*; return its signed reply.

    *request* is the current request meanwhile, for the nested components a render mounts.
    """
    token, config_token = _request.set(request), _config.set(config)
    try:
        if limited(parsed, config):
            await check_rate(parsed, request, config, steps)
        check_message(parsed, request, config)
        store = store_for(parsed.component_cls, config)
        if store is None:  # the page holds the state: one run on it
            component = _instantiate(parsed, params)
            result = await steps.dispatch(component, parsed.event, parsed.payload, parsed.state)
        else:
            result = await run_held(parsed, store, steps, lambda: _instantiate(parsed, params))
        check_effects(result.get("effects"), config.registry, parsed.name, parsed.event)
        if parsed.component_cls.uploads:
            consume(parsed.payload)  # the handler succeeded: what it did not keep goes
            result = with_upload_effects(result, parsed.component_cls, parsed.name, request, config)
        reply = update_reply(parsed.name, result, config.signer, parsed.trusted_id)
        return add_optimistic_patches(parsed.component_cls, reply, store is not None)
    finally:
        _request.reset(token)
        _config.reset(config_token)


def answer_here(
    parsed: ParsedEvent, request: Any, params: Mapping[str, Any] | None, config: AppConfig
) -> dict[str, Any]:
    """Check and run a message in the calling thread; return its signed reply.

    The body of the one worker-thread hop of a sync message (and of ``cf dispatch`` and a
    page's first render, which run where their caller is).
    """
    with _tasks_of(parsed, config) as tasks:
        reply = finish(run_message(parsed, request, params, config, SYNC_STEPS))
    start_tasks(tasks, config)
    return reply


async def answer(
    parsed: ParsedEvent, request: Any, params: Mapping[str, Any] | None, config: AppConfig
) -> dict[str, Any]:
    """Run a message where the rule says: on the loop if its handler is async, else one hop.

    The background tasks its handler started start once its reply is built (``core.tasks``).
    """
    with _tasks_of(parsed, config) as tasks:
        if parsed.runs_on_loop:
            reply = await run_message(parsed, request, params, config, ASYNC_STEPS)
        else:
            reply = await run_sync(answer_here, parsed, request, params, config)
    start_tasks(tasks, config)
    return reply


def _tasks_of(parsed: ParsedEvent, config: AppConfig) -> Any:
    refusal = None
    if parsed.event is None or parsed.component_id is None:
        refusal = "a first render's page gets no result (start it from an event, or make the "
        refusal += "component lazy)"
    return collecting(parsed.name, parsed.component_id, config, refusal=refusal)


async def stream_answers(
    parsed: ParsedEvent, request: Any, config: AppConfig
) -> AsyncIterator[dict[str, Any]]:
    """Run a message as a stream: one reply per frame, ``stream_done`` on the last.

    Only an async-generator handler of a ``StreamingComponent`` yields several frames (on
    the loop); any other message is one ``answer``.
    """
    generator = parsed.spec is not None and parsed.spec.is_generator
    if not (issubclass(parsed.component_cls, StreamingComponent) and generator):
        reply = await answer(parsed, request, None, config)
        reply["stream_done"] = True
        yield reply
        return
    token, config_token = _request.set(request), _config.set(config)
    try:
        if limited(parsed, config):
            await check_rate(parsed, request, config, ASYNC_STEPS)
        check_message(parsed, request, config)
        component = cast(StreamingComponent, _instantiate(parsed, None))
    finally:
        _request.reset(token)
        _config.reset(config_token)

    def frames(state: dict[str, Any] | None) -> AsyncIterator[dict[str, Any]]:
        return component.async_stream_dispatch(parsed.event, parsed.payload, state)

    signer = config.signer
    held = store_for(parsed.component_cls, config) is not None
    stream = run_stream(parsed, config, frames)  # held state: the last frame writes
    try:
        while True:
            # Set around each step, not across yields: the frames may be read by other tasks.
            token, config_token = _request.set(request), _config.set(config)
            try:
                frame = await anext(stream)
            except StopAsyncIteration:
                return
            finally:
                _request.reset(token)
                _config.reset(config_token)
            check_effects(frame.get("effects"), config.registry, parsed.name, parsed.event)
            if parsed.component_cls.uploads:
                if frame.get("stream_done"):
                    consume(parsed.payload)
                frame = with_upload_effects(
                    frame, parsed.component_cls, parsed.name, request, config
                )
            reply = update_reply(parsed.name, frame, signer, parsed.trusted_id)
            if frame.get("stream_done"):
                # Patches matter only for the state the page keeps: the last frame's.
                reply = add_optimistic_patches(parsed.component_cls, reply, held)
            yield reply
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
