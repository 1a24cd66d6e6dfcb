"""Server-held state in the message path: read before the run, write after it, sign a reference.

A component whose class (or its app's config, or the project default) names a
``StateStore`` keeps its state on the server. The page then holds only a reference, signed
like any state (the checksum binds the component name, the id and the release):

    {"component": "cart", "id": "cart", "key": "cart:cart:<32 hex>", "version": 7}

The id names the element, the key names the state: every first render (mount) saves under a
fresh key (``name:id:random``), so two renders of one page, even under a fixed id, never share
a state. An event loads and saves under its reference's key, which must start with
``name:id:``. A push stores its state once, under a key shared by every page it reaches
(``name:*:random``); such a key is only read: a page's next event keeps what it changes under
a fresh key of its own.

An event reads the state once (``load_versioned``) and writes it once, conditionally on the
version read (``save_versioned``). When another worker wrote in between, the event runs again
on the newer state (up to ``RETRIES`` times) and only then reaches the page as
``StateConflictError``. A state that expired or vanished gets the same "reload the page"
reply as a page signed by an earlier release (``StaleStateError``).

``run_held`` is written once, as a coroutine over a ``Steps`` seam: the sync steps
(the worker thread of a ``def`` handler: the store's sync methods, ``dispatch``) never suspend,
so ``finish`` runs it to its end in the calling thread; the async steps (an ``async def``
handler, on the loop) await the store's async methods and ``async_dispatch``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ._coroutines import finish
from ._recovery import carry_forward
from ._serializer import StateSerializer
from .exceptions import StaleStateError, StateConflictError
from .state import StateStore, StoredState

if TYPE_CHECKING:
    from ._message import ParsedEvent
    from .component import Component
    from .config import AppConfig

__all__ = [
    "ASYNC_STEPS",
    "RETRIES",
    "SYNC_STEPS",
    "Steps",
    "finish",
    "key_of",
    "loaded_for_push",
    "new_key",
    "reference",
    "reference_for",
    "run_held",
    "run_stream",
    "save_pushed",
    "shared_reference",
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


# ---------- Where the state lives ----------


@contextlib.contextmanager
def use_store(store: StateStore | None) -> Iterator[None]:
    """Within the block, every server-held component uses *store* (``cf dispatch``, tests)."""
    token = _override.set(store)
    try:
        yield
    finally:
        _override.reset(token)


def store_for(component_cls: type[Component], config: AppConfig) -> StateStore | None:
    """Return the store holding *component_cls*'s state, or None if the page holds it."""
    store = component_cls.state_store
    if store is False:
        return None
    if store is None:
        store = config.store
        if store is None:
            return None
    return _override.get() or store


def new_key(name: str, component_id: str) -> str:
    """A fresh store key for one render of *name* at *component_id* (a mount)."""
    return f"{name}:{component_id}:{secrets.token_hex(16)}"


_SHARED = "*"  # in place of the id: no id matches it (see _message's id pattern)


def _is_shared(key: str) -> bool:
    return key.split(":")[-2] == _SHARED


def reference(name: str, component_id: str, key: str, version: int) -> State:
    """The state a page holds for a server-held component (signed like any state)."""
    return {"component": name, "id": component_id, "key": key, "version": version}


def _valid_key(key: object, name: object, component_id: object) -> bool:
    if not isinstance(key, str) or not isinstance(name, str) or not isinstance(component_id, str):
        return False
    for owner in (component_id, _SHARED):
        prefix = f"{name}:{owner}:"
        if key.startswith(prefix) and _TOKEN.fullmatch(key[len(prefix) :]) is not None:
            return True
    return False


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


def _checked(parsed: ParsedEvent, stored: StoredState | None, seen: int) -> tuple[State, int]:
    # A version below the page's means the state was removed and written anew since. A state
    # stored by an earlier release (its reference says so) is carried forward, or refused.
    if stored is None or stored.version < seen:
        raise StaleStateError(_EXPIRED)
    if parsed.release is None:
        return stored.state, stored.version
    return carry_forward(parsed, parsed.release, stored.state), stored.version


def _sized(state: State) -> State:
    # The reply carries only the reference, so the size limit that bounds state held in the
    # page is applied here: a page must not grow its stored state without bound.
    StateSerializer.serialize_canonical(state)
    return state


# ---------- The seam: what differs between a worker thread and the event loop ----------


class Steps(Protocol):
    """The three calls of a message that wait on IO or user code, sync or async."""

    async def load(self, store: StateStore, key: str) -> StoredState | None:
        """``store.load_versioned(key)``."""

    async def save(self, store: StateStore, key: str, state: State, expected: int | None) -> int:
        """``store.save_versioned(key, state, expected)``."""

    async def dispatch(
        self, component: Component, event: str | None, payload: Any, state: State | None
    ) -> Result:
        """Run the component's lifecycle: ``dispatch`` or ``async_dispatch``."""


class _SyncSteps:
    # Each step runs sync code and returns: a coroutine awaiting only these never suspends.
    async def load(self, store: StateStore, key: str) -> StoredState | None:
        return store.load_versioned(key)

    async def save(self, store: StateStore, key: str, state: State, expected: int | None) -> int:
        return store.save_versioned(key, state, expected)

    async def dispatch(
        self, component: Component, event: str | None, payload: Any, state: State | None
    ) -> Result:
        return component.dispatch(event, payload, state)


class _AsyncSteps:
    async def load(self, store: StateStore, key: str) -> StoredState | None:
        return await store.aload_versioned(key)

    async def save(self, store: StateStore, key: str, state: State, expected: int | None) -> int:
        return await store.asave_versioned(key, state, expected)

    async def dispatch(
        self, component: Component, event: str | None, payload: Any, state: State | None
    ) -> Result:
        return await component.async_dispatch(event, payload, state)


SYNC_STEPS: Steps = _SyncSteps()
"""Steps for the calling thread (a ``def`` handler's worker thread, ``cf dispatch``)."""
ASYNC_STEPS: Steps = _AsyncSteps()
"""Steps for the event loop (an ``async def`` handler)."""


# ---------- One event, one stream, one trusted write ----------


async def run_held(
    parsed: ParsedEvent,
    store: StateStore,
    steps: Steps,
    instantiate: Callable[[], Component],
) -> Result:
    """Run the component for *parsed* with its state read from *store* and saved there.

    The result's ``state`` becomes the reference to sign.
    """
    key: str | None = None
    expected, seen = 0, 0
    if parsed.state is not None:
        key, seen = _referenced(parsed)
    for tries in range(RETRIES + 1):
        state = None
        if key is not None:
            state, expected = _checked(parsed, await steps.load(store, key), seen)
        result = await steps.dispatch(instantiate(), parsed.event, parsed.payload, state)
        write_key = _write_key(key, parsed.name, result["component_id"])
        try:
            version = await steps.save(
                store, write_key, _sized(result["state"]), expected if write_key == key else 0
            )
        except StateConflictError:
            # A lost race runs again on the newer state; a new key cannot lose one.
            if write_key != key or tries >= RETRIES:
                raise
            continue
        result["state"] = reference(parsed.name, result["component_id"], write_key, version)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


async def run_stream(
    parsed: ParsedEvent,
    config: AppConfig,
    frames: Callable[[State | None], AsyncIterator[Result]],
) -> AsyncIterator[Result]:
    """Stream the frames of ``frames(state)``; only the last one writes the state.

    Earlier frames refer to the version read. A lost race cannot run again (frames went out):
    it ends the stream with ``StateConflictError``.
    """
    store = store_for(parsed.component_cls, config)
    if store is None:
        async for frame in frames(parsed.state):
            yield frame
        return
    state, key, expected = None, None, 0
    if parsed.state is not None:
        key, seen = _referenced(parsed)
        state, expected = _checked(parsed, await store.aload_versioned(key), seen)
    async for frame in frames(state):
        component_id = frame["component_id"]
        version = expected
        if frame.get("stream_done"):
            write_key = _write_key(key, parsed.name, component_id)
            written = expected if write_key == key else 0
            version = await store.asave_versioned(write_key, _sized(frame["state"]), written)
            key = write_key
        elif key is None:  # a mount's earlier frames refer to the key the last one writes
            key = new_key(parsed.name, component_id)
        frame["state"] = reference(parsed.name, component_id, key, version)
        yield frame


def _write_key(key: str | None, name: str, component_id: str) -> str:
    # A first render (mount) keeps its state under a key of its own, whatever its id; so does
    # a page's first event after a push (the pushed state is shared, never written).
    if key is None or _is_shared(key):
        return new_key(name, component_id)
    return key


def reference_for(config: AppConfig, name: str, component_id: str, state: State) -> State | None:
    """Store *state* under a new key for a trusted caller (``signed_message``); return the
    reference to sign, or None when the component keeps its state in the page."""
    component_cls = config.registry.get(name)
    store = store_for(component_cls, config) if component_cls is not None else None
    if store is None:
        return None
    key = new_key(name, component_id)
    return reference(name, component_id, key, store.save_versioned(key, state, 0))


Written = dict[tuple[int, str], tuple[str, int]]
"""What one push stored: (store, component name) -> (key, version)."""


def shared_reference(
    config: AppConfig, name: str, component_id: str, state: State, written: Written
) -> State | None:
    """The reference to a pushed *state* for one page at *component_id*, or None when the
    component keeps its state in the page.

    The state is stored once per push (and store): *written*, empty at the push's start,
    keeps the key for the push's other pages. Sync: the push's worker thread calls it.
    """
    component_cls = config.registry.get(name)
    store = store_for(component_cls, config) if component_cls is not None else None
    if store is None:
        return None
    done = written.get((id(store), name))
    if done is None:
        key = f"{name}:{_SHARED}:{secrets.token_hex(16)}"
        done = written[(id(store), name)] = (key, store.save_versioned(key, state, 0))
    return reference(name, component_id, *done)


async def loaded_for_push(
    steps: Steps, store: StateStore, name: str, ref: Mapping[str, Any]
) -> State:
    """The stored state a page's reference *ref* (signed by this server) names, for a pushed
    event run on the server.

    Raises:
        StaleStateError: It expired, was removed, or is not a reference.
    """
    key = key_of(ref)
    version = ref.get("version")
    if key is None or ref.get("component") != name or not isinstance(version, int):
        raise StaleStateError(_NOT_A_REFERENCE)
    stored = await steps.load(store, key)
    if stored is None or stored.version < version:
        raise StaleStateError(_EXPIRED)
    return stored.state


async def save_pushed(steps: Steps, store: StateStore, name: str, state: State) -> tuple[str, int]:
    """Store the state a pushed event made for many pages once, under a new shared key;
    return (key, version) for their references."""
    key = f"{name}:{_SHARED}:{secrets.token_hex(16)}"
    return key, await steps.save(store, key, _sized(state), 0)
