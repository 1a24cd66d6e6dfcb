"""Server-held state in the message path: read before the run, write after it, sign a reference.

A component whose class (or the project default) names a ``StateStore`` keeps its state
on the server. The page then holds only a reference, signed like any state (the checksum binds
the component name, the id and the release):

    {"component": "cart", "id": "cart", "key": "cart:cart:<32 hex>", "version": 7}

The id names the element, the key names the state: every first render (mount) and every push
saves under a fresh key (``name:id:random``), so two renders of one page, even under a fixed
id, never share a state. An event loads and saves under its reference's key, which must start
with ``name:id:``.

An event reads the state once (``load_versioned``) and writes it once, conditionally on the
version read (``save_versioned``). When another worker wrote in between, the event runs again
on the newer state (up to ``RETRIES`` times) and only then reaches the page as
``StateConflictError``. A state that expired or vanished gets the same "reload the page"
reply as a page signed by an earlier release (``StaleStateError``).

The message path calls ``run_sync`` (inside the worker-thread hop of a sync component),
``run_async`` (on the loop, with the store's async methods) or ``run_stream``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
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
    "key_of",
    "load_state",
    "new_key",
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

_REFERENCE_FIELDS = {"component", "id", "key", "version"}
_TOKEN = re.compile(r"[0-9a-f]{32}")

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


def new_key(name: str, component_id: str) -> str:
    """A fresh store key for one render of *name* at *component_id* (a mount or a push)."""
    return f"{name}:{component_id}:{secrets.token_hex(16)}"


def reference(name: str, component_id: str, key: str, version: int) -> State:
    """The state a page holds for a server-held component (signed like any state)."""
    return {"component": name, "id": component_id, "key": key, "version": version}


def _valid_key(key: object, name: object, component_id: object) -> bool:
    if not isinstance(key, str) or not isinstance(name, str) or not isinstance(component_id, str):
        return False
    prefix = f"{name}:{component_id}:"
    return key.startswith(prefix) and _TOKEN.fullmatch(key[len(prefix) :]) is not None


def key_of(ref: str | Mapping[str, Any] | None) -> str | None:
    """The store key in a page's reference (its JSON or the parsed dict), or None if not one."""
    if isinstance(ref, str):
        try:
            ref = json.loads(ref)
        except ValueError:
            return None
    if not isinstance(ref, Mapping) or set(ref) != _REFERENCE_FIELDS:
        return None
    key = ref["key"]
    return key if _valid_key(key, ref["component"], ref["id"]) else None


def _referenced(parsed: ParsedEvent) -> tuple[str, int]:
    ref = {} if parsed.state is None else parsed.state
    version = ref.get("version")
    key = key_of(ref)
    if (
        key is None
        or ref.get("component") != parsed.name
        or ref.get("id") != parsed.component_id
        or not isinstance(version, int)
    ):
        raise StaleStateError(_NOT_A_REFERENCE)
    return key, version


def _checked(stored: StoredState | None, seen: int) -> StoredState:
    # A version below the page's means the state was removed and written anew since.
    if stored is None or stored.version < seen:
        raise StaleStateError(_EXPIRED)
    return stored


def load_state(parsed: ParsedEvent, store: StateStore) -> tuple[State | None, str | None, int]:
    """Read the state *parsed* refers to: ``(state, key, version)``; ``(None, None, 0)`` mounts.

    Raises:
        StaleStateError: The page's reference is not one, or its state is gone.
    """
    if parsed.state is None:
        return None, None, 0
    key, seen = _referenced(parsed)
    stored = _checked(store.load_versioned(key), seen)
    return stored.state, key, stored.version


async def _aload_state(
    parsed: ParsedEvent, store: StateStore
) -> tuple[State | None, str | None, int]:
    if parsed.state is None:
        return None, None, 0
    key, seen = _referenced(parsed)
    stored = _checked(await store.aload_versioned(key), seen)
    return stored.state, key, stored.version


def _sized(state: State) -> State:
    # The reply carries only the reference, so the size limit that bounds state held in the
    # page is applied here: a page must not grow its stored state without bound.
    StateSerializer.serialize_canonical(state)
    return state


def _key(parsed: ParsedEvent, key: str | None, result: Result) -> str:
    # A first render (mount) keeps its state under a key of its own, whatever its id.
    return key if key is not None else new_key(parsed.name, result["component_id"])


def run_sync(parsed: ParsedEvent, attempt: Callable[[State | None], Result]) -> Result:
    """Run ``attempt(state)`` (mount/hydrate, handler, render) with its state read and saved.

    The result's ``state`` becomes the reference to sign. A client-held component runs once
    on the state the page sent.
    """
    store = store_for(parsed.component_cls)
    if store is None:
        return attempt(parsed.state)
    for tries in range(RETRIES + 1):
        state, key, expected = load_state(parsed, store)
        result = attempt(state)
        key = _key(parsed, key, result)
        try:
            version = store.save_versioned(key, _sized(result["state"]), expected)
        except StateConflictError:
            # A lost race runs again on the newer state; a new key cannot lose one.
            if not expected or tries >= RETRIES:
                raise
            continue
        result["state"] = reference(parsed.name, result["component_id"], key, version)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


async def run_async(
    parsed: ParsedEvent, attempt: Callable[[State | None], Awaitable[Result]]
) -> Result:
    """Like ``run_sync`` for a component that runs on the event loop."""
    store = store_for(parsed.component_cls)
    if store is None:
        return await attempt(parsed.state)
    for tries in range(RETRIES + 1):
        state, key, expected = await _aload_state(parsed, store)
        result = await attempt(state)
        key = _key(parsed, key, result)
        try:
            version = await store.asave_versioned(key, _sized(result["state"]), expected)
        except StateConflictError:
            if not expected or tries >= RETRIES:
                raise
            continue
        result["state"] = reference(parsed.name, result["component_id"], key, version)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


async def run_stream(
    parsed: ParsedEvent, frames: Callable[[State | None], AsyncIterator[Result]]
) -> AsyncIterator[Result]:
    """Stream the frames of ``frames(state)``; only the last one writes the state.

    Earlier frames refer to the version read. A lost race cannot run again (frames went out):
    it ends the stream with ``StateConflictError``.
    """
    store = store_for(parsed.component_cls)
    if store is None:
        async for frame in frames(parsed.state):
            yield frame
        return
    state, key, expected = await _aload_state(parsed, store)
    async for frame in frames(state):
        component_id = frame["component_id"]
        key = _key(parsed, key, frame)
        version = expected
        if frame.get("stream_done"):
            version = await store.asave_versioned(key, _sized(frame["state"]), expected)
        frame["state"] = reference(parsed.name, component_id, key, version)
        yield frame


def reference_for(
    registry: ComponentRegistry | None, name: str, component_id: str, state: State
) -> State | None:
    """Store *state* under a new key for a trusted caller (``signed_message``, a push); return
    the reference to sign.

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
    key = new_key(name, component_id)
    return reference(name, component_id, key, store.save_versioned(key, state, 0))


async def areference_for(
    registry: ComponentRegistry, name: str, component_id: str, state: State
) -> State | None:
    """Like ``reference_for``, on the event loop (a server push)."""
    component_cls = registry.get(name)
    store = store_for(component_cls) if component_cls is not None else None
    if store is None:
        return None
    key = new_key(name, component_id)
    return reference(name, component_id, key, await store.asave_versioned(key, state, 0))
