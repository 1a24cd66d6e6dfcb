"""Server-side state persistence, for components that keep state off the page.

A store maps a component id to the component's state and a version number. Writes from the
message path are compare-and-set (``StateStore.save_versioned``): a write names the version
it read, and a store that holds another one refuses it with ``StateConflictError``, so
two events racing on two workers never lose an update silently. Stored state expires after
``ttl`` idle seconds (every write starts the clock again).

Stores: ``InMemoryStateStore`` (one process: tests, ``cf dev``),
``SQLiteStateStore`` (one host, any number of
worker processes) and ``RedisStateStore`` (several
hosts). A component opts in with ``state_store = ...`` on its class, or every component
follows the project default set by ``configure`` (or ``CF_STATE_STORE``).

Example:

    store = InMemoryStateStore(ttl=3600)
    version = store.save_versioned("component-1", {"count": 1}, expected_version=0)
    stored = store.load_versioned("component-1")  # StoredState(state={'count': 1}, version=1)
"""

from __future__ import annotations

import copy
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .exceptions import ConfigurationError, StateConflictError

__all__ = [
    "DEFAULT_TTL",
    "InMemoryStateStore",
    "StateStore",
    "StoredState",
    "configure",
    "get_default_store",
    "open_store",
]

DEFAULT_TTL = 24 * 3600.0
"""Seconds a stored state lives after its last write, unless a store is given another ``ttl``."""


@dataclass(frozen=True, slots=True)
class StoredState:
    """A state read from a store, with the version a conditional write must name."""

    state: dict[str, Any]
    version: int


class StateStore(ABC):
    """Abstract base class for state persistence.

    The seed's ``save``, ``load`` and ``delete`` read and write unconditionally. A store used
    as a component's ``state_store`` also implements the versioned pair
    ``load_versioned`` / ``save_versioned``; the ``a*`` methods are their async
    twins, which by default run the sync ones in a worker thread.
    """

    ttl: float | None = None
    """Seconds a state lives after its last write (``None``: forever)."""

    @abstractmethod
    def save(self, component_id: str, state: dict[str, Any]) -> None:
        """Save component state, whatever version the store holds."""
        raise NotImplementedError

    @abstractmethod
    def load(self, component_id: str) -> dict[str, Any] | None:
        """Load component state.

        Returns:
            Component state or None if not found (or expired).
        """
        raise NotImplementedError

    @abstractmethod
    def delete(self, component_id: str) -> None:
        """Delete component state."""
        raise NotImplementedError

    def load_versioned(self, component_id: str) -> StoredState | None:
        """Return the state and its version, or None if none is stored (or it expired)."""
        raise ConfigurationError(
            f"{type(self).__name__} cannot hold a component's state: it does not implement "
            "load_versioned() and save_versioned()."
        )

    def save_versioned(
        self, component_id: str, state: dict[str, Any], expected_version: int | None
    ) -> int:
        """Write *state* only if the store holds *expected_version*; return the new version.

        Args:
            component_id: The key.
            state: The state to store.
            expected_version: The version read before (``0``: none may be stored;
                ``None``: write whatever is stored).

        Raises:
            StateConflictError: The store holds another version (another writer won).
        """
        raise ConfigurationError(
            f"{type(self).__name__} cannot hold a component's state: it does not implement "
            "load_versioned() and save_versioned()."
        )

    # ---------- Async twins: a worker thread unless a store has native async IO ----------

    async def aload(self, component_id: str) -> dict[str, Any] | None:
        """Async ``load``."""
        from .threads import run_sync

        return await run_sync(self.load, component_id)

    async def asave(self, component_id: str, state: dict[str, Any]) -> None:
        """Async ``save``."""
        from .threads import run_sync

        await run_sync(self.save, component_id, state)

    async def adelete(self, component_id: str) -> None:
        """Async ``delete``."""
        from .threads import run_sync

        await run_sync(self.delete, component_id)

    async def aload_versioned(self, component_id: str) -> StoredState | None:
        """Async ``load_versioned``."""
        from .threads import run_sync

        return await run_sync(self.load_versioned, component_id)

    async def asave_versioned(
        self, component_id: str, state: dict[str, Any], expected_version: int | None
    ) -> int:
        """Async ``save_versioned``."""
        from .threads import run_sync

        return await run_sync(self.save_versioned, component_id, state, expected_version)


class _VersionedStore(StateStore):
    """Base of the built-in stores: the plain calls are the versioned pair's, unconditionally."""

    @staticmethod
    def _conflict(component_id: str, expected: int | None) -> StateConflictError:
        """The error a conditional write that found another version raises."""
        if expected == 0:
            return StateConflictError(
                f"Component {component_id!r} already holds server-side state; reload the page."
            )
        return StateConflictError(
            f"The state of component {component_id!r} changed while this event ran; "
            "the event was not applied. Try again."
        )

    def save(self, component_id: str, state: dict[str, Any]) -> None:
        self.save_versioned(component_id, state, None)

    def load(self, component_id: str) -> dict[str, Any] | None:
        stored = self.load_versioned(component_id)
        return None if stored is None else stored.state

    async def asave(self, component_id: str, state: dict[str, Any]) -> None:
        await self.asave_versioned(component_id, state, None)

    async def aload(self, component_id: str) -> dict[str, Any] | None:
        stored = await self.aload_versioned(component_id)
        return None if stored is None else stored.state


class InMemoryStateStore(_VersionedStore):
    """In-memory state storage for one process: development, ``cf dev`` and tests.

    Saved and loaded states are deep copies, so later changes to a component's
    state never alter what was stored. Safe to share between threads.

    Args:
        ttl: Seconds a state lives after its last write (``None``: forever).
        clock: Returns the current time in seconds (tests pass a fake one).
    """

    _SWEEP_EVERY = 1000

    def __init__(
        self, *, ttl: float | None = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        # component id -> (state, version, expires at or None)
        self._store: dict[str, tuple[dict[str, Any], int, float | None]] = {}
        self._writes = 0

    def __repr__(self) -> str:
        return f"<InMemoryStateStore components={len(self._store)}>"

    def _live(self, component_id: str, now: float) -> tuple[dict[str, Any], int] | None:
        entry = self._store.get(component_id)
        if entry is None:
            return None
        state, version, expires = entry
        if expires is not None and expires <= now:
            return None
        return state, version

    def load_versioned(self, component_id: str) -> StoredState | None:
        with self._lock:
            live = self._live(component_id, self._clock())
        if live is None:
            return None
        return StoredState(copy.deepcopy(live[0]), live[1])

    def save_versioned(
        self, component_id: str, state: dict[str, Any], expected_version: int | None
    ) -> int:
        copied = copy.deepcopy(state)
        with self._lock:
            now = self._clock()
            live = self._live(component_id, now)
            held = live[1] if live is not None else 0
            if expected_version is not None and expected_version != held:
                raise self._conflict(component_id, expected_version)
            # Versions keep counting over an expired entry, so an old read never matches anew.
            previous = self._store.get(component_id)
            version = max(held, previous[1] if previous else 0) + 1
            expires = None if self.ttl is None else now + self.ttl
            self._store[component_id] = (copied, version, expires)
            self._writes += 1
            if self._writes % self._SWEEP_EVERY == 0:
                self._sweep(now)
        return version

    def _sweep(self, now: float) -> None:
        expired = [k for k, (_, _, exp) in self._store.items() if exp is not None and exp <= now]
        for key in expired:
            del self._store[key]

    def delete(self, component_id: str) -> None:
        with self._lock:
            self._store.pop(component_id, None)

    def clear(self) -> None:
        """Clear all stored state (useful for testing)."""
        with self._lock:
            self._store.clear()

    # Memory never blocks: the async twins skip the worker thread.

    async def adelete(self, component_id: str) -> None:
        self.delete(component_id)

    async def aload_versioned(self, component_id: str) -> StoredState | None:
        return self.load_versioned(component_id)

    async def asave_versioned(
        self, component_id: str, state: dict[str, Any], expected_version: int | None
    ) -> int:
        return self.save_versioned(component_id, state, expected_version)


# ---------- The project default ----------

_lock = threading.Lock()
_default: StateStore | None = None
_configured = False


def open_store(url: str, *, ttl: float | None = DEFAULT_TTL) -> StateStore:
    """Open the store a URL names: ``memory:``, ``sqlite:///state.db`` or ``redis://host/0``.

    ``sqlite:///state.db`` is relative to the working directory, ``sqlite:////var/cf/state.db``
    absolute (as SQLAlchemy reads them). A ``?ttl=SECONDS`` query sets the idle time.

    Raises:
        ConfigurationError: The URL names no known store.
    """
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "ttl" in query:
        try:
            ttl = float(query["ttl"][-1])
        except ValueError:
            raise ConfigurationError(f"State store URL {url!r}: ttl must be seconds.") from None
    if parts.scheme == "memory":
        return InMemoryStateStore(ttl=ttl)
    if parts.scheme == "sqlite":
        path = url.split("?", 1)[0][len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise ConfigurationError(
                f"State store URL {url!r} names no file: use sqlite:///state.db "
                "(relative) or sqlite:////var/lib/app/state.db (absolute)."
            )
        from .sqlite_store import SQLiteStateStore

        return SQLiteStateStore(path, ttl=ttl)
    if parts.scheme in ("redis", "rediss", "unix"):
        from .redis_store import RedisStateStore

        base = url.split("?", 1)[0]
        return RedisStateStore(base, ttl=ttl)
    raise ConfigurationError(
        f"State store URL {url!r} is not memory:, sqlite:///PATH or redis://HOST:PORT/DB."
    )


def configure(store: StateStore | str | None) -> StateStore | None:
    """Set the project's default state store (a store, a URL for ``open_store``, or None).

    Every component whose class leaves ``state_store`` at ``None`` then keeps its state in it;
    ``None`` returns to state held in the page. Without a call, ``CF_STATE_STORE`` is read.
    """
    global _default, _configured
    opened = open_store(store) if isinstance(store, str) else store
    with _lock:
        _default, _configured = opened, True
    return opened


def get_default_store() -> StateStore | None:
    """Return the project's default store: the configured one, else ``CF_STATE_STORE``'s."""
    if _configured:
        return _default
    url = os.environ.get("CF_STATE_STORE", "").strip()
    return configure(url or None)
