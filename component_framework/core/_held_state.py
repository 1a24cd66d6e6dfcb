"""Server-held state in the message path: read before the run, write after it, sign a reference.

A component whose class (or the project default) names a :class:`StateStore` keeps its state
on the server. The page then holds only a reference, signed like any state (the checksum binds
the component name, the id and the release)::

    {"component": "cart", "id": "component-1a2b3c4d5e6f40718293a4b5c6d7e8f9", "version": 7}

An event reads the state once (``load_versioned``) and writes it once, conditionally on the
version read (``save_versioned``). When another worker wrote in between, the event runs again
on the newer state (up to ``RETRIES`` times) and only then reaches the page as
:class:`StateConflictError`. A state that expired or vanished gets the same "reload the page"
reply as a page signed by an earlier release (:class:`StaleStateError`).

The message path calls :func:`run_sync` (inside the worker-thread hop of a sync component),
:func:`run_async` (on the loop, with the store's async methods) or :func:`run_stream`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._serializer import StateSerializer
from .exceptions import StaleStateError, StateConflictError
from .state import StateStore, StoredState, get_default_store

if TYPE_CHECKING:
    from ._message import ParsedEvent
    from .component import Component
    from .registry import ComponentRegistry

__all__ = [
    "RETRIES",
    "areference_for",
    "load_state",
    "reference",
    "reference_for",
    "run_async",
    "run_stream",
    "run_sync",
    "store_for",
    "use_store",
]

RETRIES = 3
"""How many times an event that lost a race runs again on the newer state."""

State = dict[str, Any]
Result = dict[str, Any]

_EXPIRED = (
    "This component's state is no longer held on the server (it expired or was removed). "
    "Reload the page to continue."
)
_NOT_A_REFERENCE = (
    "This page holds state from before this component kept its state on the server. "
    "Reload the page to continue."
)

_override: contextvars.ContextVar[StateStore | None] = contextvars.ContextVar(
    "cf_state_store_override", default=None
)


@contextlib.contextmanager
def use_store(store: StateStore | None) -> Iterator[None]:
    """Within the block, every server-held component uses *store* (``cf dispatch``, tests)."""
    token = _override.set(store)
    try:
        yield
    finally:
        _override.reset(token)


def store_for(component_cls: type[Component]) -> StateStore | None:
    """Return the store holding *component_cls*'s state, or None if the page holds it."""
    store = component_cls.state_store
    if store is False:
        return None
    if store is None:
        store = get_default_store()
        if store is None:
            return None
    return _override.get() or store


def reference(name: str, component_id: str, version: int) -> State:
    """The state a page holds for a server-held component (signed like any state)."""
    return {"component": name, "id": component_id, "version": version}


def _referenced_version(parsed: ParsedEvent) -> int:
    ref = parsed.state or {}
    version = ref.get("version")
    if (
        set(ref) != {"component", "id", "version"}
        or ref.get("component") != parsed.name
        or ref.get("id") != parsed.component_id
        or not isinstance(version, int)
    ):
        raise StaleStateError(_NOT_A_REFERENCE)
    return version


def _checked(stored: StoredState | None, seen: int) -> StoredState:
    # A version below the page's means the state was removed and written anew since.
    if stored is None or stored.version < seen:
        raise StaleStateError(_EXPIRED)
    return stored


def _expected(parsed: ParsedEvent) -> int | None:
    # A first render overwrites only under a fixed id the server's page names. An id the
    # server just generated must be new (a client may have claimed it first), and a client
    # naming its own id must not replace another page's state.
    return None if parsed.trusted_id and parsed.component_id is not None else 0


def load_state(parsed: ParsedEvent, store: StateStore) -> tuple[State | None, int | None]:
    """Read the state *parsed* refers to: ``(state, version)``, or ``(None, ...)`` to mount.

    Raises:
        StaleStateError: The page's reference is not one, or its state is gone.
    """
    if parsed.state is None:
        return None, _expected(parsed)
    seen = _referenced_version(parsed)
    stored = _checked(store.load_versioned(parsed.component_id or ""), seen)
    return stored.state, stored.version


async def _aload_state(parsed: ParsedEvent, store: StateStore) -> tuple[State | None, int | None]:
    if parsed.state is None:
        return None, _expected(parsed)
    seen = _referenced_version(parsed)
    stored = _checked(await store.aload_versioned(parsed.component_id or ""), seen)
    return stored.state, stored.version


def _sized(state: State) -> State:
    # The reply carries only the reference, so the size limit that bounds state held in the
    # page is applied here: a page must not grow its stored state without bound.
    StateSerializer.serialize_canonical(state)
    return state


def _may_retry(parsed: ParsedEvent, expected: int | None, attempt: int) -> bool:
    # A lost race runs again on the newer state. A first render that found state under an id
    # it named is no race: that id is taken. One that generated its id runs again under a new
    # one.
    generated = expected == 0 and parsed.component_id is None
    return (bool(expected) or generated) and attempt < RETRIES


def run_sync(parsed: ParsedEvent, attempt: Callable[[State | None], Result]) -> Result:
    """Run ``attempt(state)`` (mount/hydrate, handler, render) with its state read and saved.

    The result's ``state`` becomes the reference to sign. A client-held component runs once
    on the state the page sent.
    """
    store = store_for(parsed.component_cls)
    if store is None:
        return attempt(parsed.state)
    for tries in range(RETRIES + 1):
        state, expected = load_state(parsed, store)
        result = attempt(state)
        try:
            version = store.save_versioned(
                result["component_id"], _sized(result["state"]), expected
            )
        except StateConflictError:
            if not _may_retry(parsed, expected, tries):
                raise
            continue
        result["state"] = reference(parsed.name, result["component_id"], version)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


async def run_async(
    parsed: ParsedEvent, attempt: Callable[[State | None], Awaitable[Result]]
) -> Result:
    """Like :func:`run_sync` for a component that runs on the event loop."""
    store = store_for(parsed.component_cls)
    if store is None:
        return await attempt(parsed.state)
    for tries in range(RETRIES + 1):
        state, expected = await _aload_state(parsed, store)
        result = await attempt(state)
        try:
            version = await store.asave_versioned(
                result["component_id"], _sized(result["state"]), expected
            )
        except StateConflictError:
            if not _may_retry(parsed, expected, tries):
                raise
            continue
        result["state"] = reference(parsed.name, result["component_id"], version)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


async def run_stream(
    parsed: ParsedEvent, frames: Callable[[State | None], AsyncIterator[Result]]
) -> AsyncIterator[Result]:
    """Stream the frames of ``frames(state)``; only the last one writes the state.

    Earlier frames refer to the version read. A lost race cannot run again (frames went out):
    it ends the stream with :class:`StateConflictError`.
    """
    store = store_for(parsed.component_cls)
    if store is None:
        async for frame in frames(parsed.state):
            yield frame
        return
    state, expected = await _aload_state(parsed, store)
    async for frame in frames(state):
        component_id = frame["component_id"]
        version = expected or 0
        if frame.get("stream_done"):
            version = await store.asave_versioned(component_id, _sized(frame["state"]), expected)
        frame["state"] = reference(parsed.name, component_id, version)
        yield frame


def reference_for(
    registry: ComponentRegistry | None, name: str, component_id: str, state: State
) -> State | None:
    """Store *state* for a trusted caller (``signed_message``); return the reference to sign.

    Returns None when the component keeps its state in the page. *registry* defaults to the
    global one.
    """
    if registry is None:
        from .registry import registry as default

        registry = default
    component_cls = registry.get(name)
    store = store_for(component_cls) if component_cls is not None else None
    if store is None:
        return None
    version = store.save_versioned(component_id, state, None)
    return reference(name, component_id, version)


async def areference_for(
    registry: ComponentRegistry, name: str, component_id: str, state: State
) -> State | None:
    """Like :func:`reference_for`, on the event loop (a server push)."""
    component_cls = registry.get(name)
    store = store_for(component_cls) if component_cls is not None else None
    if store is None:
        return None
    version = await store.asave_versioned(component_id, state, None)
    return reference(name, component_id, version)
