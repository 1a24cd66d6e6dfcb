"""Server-side state persistence, for components that keep state off the page.

A store maps a key (``name:id:<random hex>``, one per render: see docs/state.md) to a state
and a version number. The contract is the versioned pair the message path needs:
``StateStore.load_versioned`` and the compare-and-set ``StateStore.save_versioned`` (a
write names the version it read, and a store that holds another one refuses it with
``StateConflictError``, so two events racing on two workers never lose an update
silently), plus ``StateStore.delete``. ``save`` and ``load`` derive from the pair; the
``a*`` methods are the async forms, by default the sync ones in a worker thread. Stored state
expires after ``ttl`` idle seconds (every write starts the clock again).

The built-in stores keep at most ``max_bytes`` of state (each state's key and JSON, counted
by the store). A write the budget cannot take evicts the states written longest ago (never the
one being written) until it fits, in the same atomic step as the write: a full store serves
every request, and a page whose state was evicted recovers at its next event as after an
expiry (it is mounted again from its signed parameters, see docs/state.md). Only a state
larger than the whole budget is refused, with ``StoreFullError``.

Stores: ``InMemoryStateStore`` (one process: tests, ``cf dev``),
``SQLiteStateStore`` (one host, any number of
worker processes) and ``RedisStateStore`` (several
hosts). A component opts in with ``state_store = ...`` on its class, or every component
follows the project default set by ``configure`` (or ``CF_STATE_STORE``).

Example:

    store = InMemoryStateStore(ttl=3600)
    version = store.save_versioned("cart:c1:00ff", {"count": 1}, expected_version=0)
    stored = store.load_versioned("cart:c1:00ff")  # StoredState(state={'count': 1}, version=1)
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ._serializer import stored_json
from .exceptions import ConfigurationError, StateConflictError, StoreFullError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TTL",
    "MEMORY_MAX_BYTES",
    "InMemoryStateStore",
    "StateStore",
    "StoredState",
    "configure",
    "get_default_store",
    "open_store",
]

DEFAULT_TTL = 24 * 3600.0
"""Seconds a stored state lives after its last write, unless a store is given another ``ttl``."""
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
"""The byte budget of the SQLite and Redis stores unless given another ``max_bytes``."""
MEMORY_MAX_BYTES = 64 * 1024 * 1024
"""The byte budget of ``InMemoryStateStore`` unless given another ``max_bytes``."""

logger = logging.getLogger("component_framework")
_FULL = "The server cannot keep more component state right now; try again in a few minutes."
_FOREVER = 100 * 365 * 24 * 3600.0
# The expiry an index of a store without ttl gives a state: far enough never to come, and in
# the order of writes, which is the order a full store evicts in.
_FULL_LOG_EVERY = 60.0  # seconds between two warnings of one store that it is full


@dataclass(frozen=True, slots=True)
class StoredState:
    """A state read from a store, with the version a conditional write must name."""

    state: dict[str, Any]
    version: int


class StateStore(ABC):
    """Where server-held state lives: a versioned compare-and-set store.

    A store implements ``load_versioned``, ``save_versioned`` and ``delete``;
    everything else derives from them. Set ``blocking = False`` on a store whose methods never
    wait on IO (it is then called on the event loop, without a worker thread).

    docs/state.md shows a complete store of your own, which the stores' contract tests run.
    """

    ttl: float | None = None
    """Seconds a state lives after its last write (``None``: forever)."""
    max_bytes: int | None = None
    """Most bytes of state (keys and JSON) the store keeps, evicting the states written
    longest ago to stay within it; ``None``: no bound. Only stores that count their bytes
    honour it (the built-in ones do)."""
    blocking: ClassVar[bool] = True
    """Whether the methods wait on IO: the async forms then run them in a worker thread."""
    _full_logged = 0.0  # when the store may next warn that it is full (time.monotonic)

    @abstractmethod
    def load_versioned(self, key: str) -> StoredState | None:
        """Return the state under *key* and its version, or None if none is stored (or it
        expired)."""

    @abstractmethod
    def save_versioned(self, key: str, state: dict[str, Any], expected_version: int | None) -> int:
        """Write *state* under *key* only if the store holds *expected_version*; return the
        new version (counting up from 1).

        Args:
            key: Where the state lives.
            state: The state to store.
            expected_version: The version read before (``0``: none may be stored;
                ``None``: write whatever is stored).

        Raises:
            StateConflictError: The store holds another version (another writer won).
        """

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the state under *key* (nothing happens when there is none)."""

    # ---------- Derived ----------

    def save(self, key: str, state: dict[str, Any]) -> None:
        """Save *state* under *key*, whatever version the store holds."""
        self.save_versioned(key, state, None)

    def load(self, key: str) -> dict[str, Any] | None:
        """Return the state under *key*, or None if none is stored (or it expired)."""
        stored = self.load_versioned(key)
        return None if stored is None else stored.state

    def close(self) -> None:  # noqa: B027 - optional: most stores hold nothing to release
        """Release what the store holds (connections, files); nothing by default."""

    def _full(self, size: int | None = None) -> StoreFullError:
        """The error of a write the store cannot take: a state of *size* bytes larger than the
        whole budget, or (``None``) a server out of memory. Logged at most once a minute."""
        now = time.monotonic()
        if now >= self._full_logged:
            self._full_logged = now + _FULL_LOG_EVERY
            if size is None:
                why, advice = "its server is out of memory", "give it more memory than max_bytes"
            else:
                why = f"a state of {size:,} bytes is larger than max_bytes={self.max_bytes!r}"
                advice = "raise max_bytes or keep less in the component's state"
            logger.warning("%r refused a write: %s. To fix it, %s.", self, why, advice)
        return StoreFullError(_FULL)

    @staticmethod
    def _conflict(key: str, expected: int | None) -> StateConflictError:
        """The error a conditional write that found another version raises."""
        if expected == 0:
            return StateConflictError(
                f"Key {key!r} already holds server-side state; reload the page."
            )
        return StateConflictError(
            f"The state under {key!r} changed while this event ran; "
            "the event was not applied. Try again."
        )

    # ---------- Async forms: a worker thread for a blocking store ----------

    async def aload_versioned(self, key: str) -> StoredState | None:
        """Async ``load_versioned``."""
        if not self.blocking:
            return self.load_versioned(key)
        from .threads import run_sync

        return await run_sync(self.load_versioned, key)

    async def asave_versioned(
        self, key: str, state: dict[str, Any], expected_version: int | None
    ) -> int:
        """Async ``save_versioned``."""
        if not self.blocking:
            return self.save_versioned(key, state, expected_version)
        from .threads import run_sync

        return await run_sync(self.save_versioned, key, state, expected_version)

    async def adelete(self, key: str) -> None:
        """Async ``delete``."""
        if not self.blocking:
            return self.delete(key)
        from .threads import run_sync

        await run_sync(self.delete, key)

    async def asave(self, key: str, state: dict[str, Any]) -> None:
        """Async ``save``."""
        await self.asave_versioned(key, state, None)

    async def aload(self, key: str) -> dict[str, Any] | None:
        """Async ``load``."""
        stored = await self.aload_versioned(key)
        return None if stored is None else stored.state


class InMemoryStateStore(StateStore):
    """In-memory state storage for one process: development, ``cf dev`` and tests.

    States are kept as their JSON text, as the other stores keep them, so later changes to a
    component's state never alter what was stored, in the order they were written (the
    first is the one a full store evicts). Safe to share between threads.

    Args:
        ttl: Seconds a state lives after its last write (``None``: forever).
        max_bytes: Most bytes of state kept (64 MiB; ``None``: no bound).
        clock: Returns the current time in seconds (tests pass a fake one).
    """

    blocking = False  # memory never waits: the async forms skip the worker thread
    _SWEEP_EVERY = 1000

    def __init__(
        self,
        *,
        ttl: float | None = DEFAULT_TTL,
        max_bytes: int | None = MEMORY_MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (state JSON, version, expires at or None, bytes counted), oldest write first
        self._store: dict[str, tuple[str, int, float | None, int]] = {}
        self._bytes = 0
        self._writes = 0

    def __repr__(self) -> str:
        return f"<InMemoryStateStore states={len(self._store)} bytes={self._bytes}>"

    def _live(self, key: str, now: float) -> tuple[str, int] | None:
        entry = self._store.get(key)
        if entry is None:
            return None
        text, version, expires, _ = entry
        if expires is not None and expires <= now:
            return None
        return text, version

    def load_versioned(self, key: str) -> StoredState | None:
        with self._lock:
            live = self._live(key, self._clock())
        if live is None:
            return None
        return StoredState(json.loads(live[0]), live[1])

    def save_versioned(self, key: str, state: dict[str, Any], expected_version: int | None) -> int:
        text = stored_json(state)
        size = len(key) + len(text.encode())
        with self._lock:
            now = self._clock()
            live = self._live(key, now)
            held = live[1] if live is not None else 0
            if expected_version is not None and expected_version != held:
                raise self._conflict(key, expected_version)
            if self.max_bytes is not None and size > self.max_bytes:
                raise self._full(size)
            # Versions keep counting over an expired entry, so an old read never matches anew.
            previous = self._store.pop(key, None)  # written again: it moves to the end
            version = max(held, previous[1] if previous else 0) + 1
            expires = None if self.ttl is None else now + self.ttl
            self._bytes += size - (previous[3] if previous else 0)
            self._store[key] = (text, version, expires, size)
            self._evict()
            self._writes += 1
            if self._writes % self._SWEEP_EVERY == 0:
                self._sweep(now)
        return version

    def _evict(self) -> None:
        # The states written longest ago go first; the last one (just written) fits alone.
        if self.max_bytes is None:
            return
        while self._bytes > self.max_bytes:
            self._bytes -= self._store.pop(next(iter(self._store)))[3]

    def _sweep(self, now: float) -> None:
        expired = [
            k for k, entry in self._store.items() if entry[2] is not None and entry[2] <= now
        ]
        for key in expired:
            self._bytes -= self._store.pop(key)[3]

    def delete(self, key: str) -> None:
        with self._lock:
            entry = self._store.pop(key, None)
            if entry is not None:
                self._bytes -= entry[3]

    def clear(self) -> None:
        """Clear all stored state (useful for testing)."""
        with self._lock:
            self._store.clear()
            self._bytes = 0


# ---------- The project default ----------

_lock = threading.Lock()
_default: StateStore | None = None
_configured = False
_opened = False  # whether _default was opened here from a URL (then it is closed when replaced)


def open_store(url: str, *, ttl: float | None = DEFAULT_TTL) -> StateStore:
    """Open the store a URL names: ``memory:``, ``sqlite:///state.db`` or ``redis://host/0``.

    ``sqlite:///state.db`` is relative to the working directory, ``sqlite:////var/cf/state.db``
    absolute (as SQLAlchemy reads them). A ``?ttl=SECONDS`` query sets the idle time,
    ``?max_bytes=N`` the byte budget (``none``: no bound).

    Raises:
        ConfigurationError: The URL names no known store, or a query value is not a number.
    """
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "ttl" in query:
        try:
            ttl = float(query["ttl"][-1])
        except ValueError:
            raise ConfigurationError(f"State store URL {url!r}: ttl must be seconds.") from None
    budget = query["max_bytes"][-1] if "max_bytes" in query else None

    def max_bytes(default: int) -> int | None:
        if budget is None:
            return default
        try:
            return None if budget.lower() == "none" else int(budget)
        except ValueError:
            raise ConfigurationError(
                f"State store URL {url!r}: max_bytes must be a number of bytes, or none."
            ) from None

    if parts.scheme == "memory":
        return InMemoryStateStore(ttl=ttl, max_bytes=max_bytes(MEMORY_MAX_BYTES))
    if parts.scheme == "sqlite":
        path = url.split("?", 1)[0][len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise ConfigurationError(
                f"State store URL {url!r} names no file: use sqlite:///state.db "
                "(relative) or sqlite:////var/lib/app/state.db (absolute)."
            )
        from .sqlite_store import SQLiteStateStore

        return SQLiteStateStore(path, ttl=ttl, max_bytes=max_bytes(DEFAULT_MAX_BYTES))
    if parts.scheme in ("redis", "rediss", "unix"):
        from .redis_store import RedisStateStore

        base = url.split("?", 1)[0]
        return RedisStateStore(base, ttl=ttl, max_bytes=max_bytes(DEFAULT_MAX_BYTES))
    raise ConfigurationError(
        f"State store URL {url!r} is not memory:, sqlite:///PATH or redis://HOST:PORT/DB."
    )


def configure(store: StateStore | str | None) -> StateStore | None:
    """Set the project's default state store (a store, a URL for ``open_store``, or None).

    Every component whose class leaves ``state_store`` at ``None`` then keeps its state in it;
    ``None`` returns to state held in the page. Without a call, ``CF_STATE_STORE`` is read.
    """
    global _default, _configured, _opened
    opened = open_store(store) if isinstance(store, str) else store
    with _lock:
        previous, owned = _default, _opened
        _default, _configured, _opened = opened, True, isinstance(store, str)
    if owned and previous is not None and previous is not opened:
        previous.close()
    return opened


def _snapshot() -> tuple[StateStore | None, bool, bool]:
    # For component_framework.testing: the default as it is, to restore after a test.
    return _default, _configured, _opened


def _restore(saved: tuple[StateStore | None, bool, bool]) -> None:
    global _default, _configured, _opened
    with _lock:
        current, owned = _default, _opened
        _default, _configured, _opened = saved
    if owned and current is not None and current is not saved[0]:
        current.close()


def get_default_store() -> StateStore | None:
    """Return the project's default store: the configured one, else ``CF_STATE_STORE``'s."""
    if _configured:
        return _default
    url = os.environ.get("CF_STATE_STORE", "").strip()
    return configure(url or None)
