"""Where presence entries live: in this process's memory, or in Redis for every process.

An entry is one page's component on a topic: its *ref* (``<worker>.<random>``: the worker
process tracking it, which removes it when the page leaves), the *key* it is present under
(a user id) and its *meta* (a JSON object: a name, typing, idle). A registry stores entries by
topic and lists them; the process that changes one publishes the diff through the broker
(``core.presence``).

A process that dies cannot remove its entries, so every worker renews a heartbeat; entries of
a worker whose heartbeat is older than the TTL are left out of ``entries`` and removed by
``reap``, which the surviving workers call every heartbeat (and then publish those leaves).
``InMemoryPresenceRegistry`` (one process: nothing to expire) and ``RedisPresenceRegistry``
(``core.redis_presence``) implement it.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any

__all__ = ["Entry", "InMemoryPresenceRegistry", "PresenceRegistry"]

Entry = tuple[str, str, str, dict[str, Any]]
"""(topic, ref, key, meta) of one page's component on a topic."""


class PresenceRegistry(ABC):
    """The entries of every topic, shared by the processes of one app."""

    @abstractmethod
    async def put(self, topic: str, ref: str, key: str, meta: dict[str, Any]) -> None:
        """Add the entry *ref* to *topic*, or replace its key and meta."""

    @abstractmethod
    async def remove(self, topic: str, ref: str) -> None:
        """Remove the entry *ref* from *topic* (nothing when it is not there)."""

    @abstractmethod
    def entries(self, topic: str, ttl: float) -> list[tuple[str, str, dict[str, Any]]]:
        """The (ref, key, meta) of each entry of *topic* whose worker beat within *ttl*
        seconds (sync: a render may call it)."""

    @abstractmethod
    async def heartbeat(self, worker: str) -> bool:
        """Renew *worker*'s heartbeat; True when it was not known (first beat, or expired and
        reaped: its entries are gone, so the worker puts its live ones back)."""

    @abstractmethod
    async def reap(self, ttl: float) -> list[Entry]:
        """Remove the entries of every worker whose heartbeat is older than *ttl* seconds
        and return them (each reaped by one caller only)."""

    async def close(self) -> None:  # noqa: B027 (most registries hold no connection)
        """Release connections."""


class InMemoryPresenceRegistry(PresenceRegistry):
    """The entries of one process (the default without Redis): nothing outlives it."""

    def __init__(self) -> None:
        self._topics: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
        self._lock = threading.Lock()  # list() runs in worker threads

    def __repr__(self) -> str:
        return f"<InMemoryPresenceRegistry topics={len(self._topics)}>"

    async def put(self, topic: str, ref: str, key: str, meta: dict[str, Any]) -> None:
        """Add or replace the entry."""
        with self._lock:
            self._topics.setdefault(topic, {})[ref] = (key, meta)

    async def remove(self, topic: str, ref: str) -> None:
        """Remove the entry."""
        with self._lock:
            entries = self._topics.get(topic)
            if entries is not None:
                entries.pop(ref, None)
                if not entries:
                    del self._topics[topic]

    def entries(self, topic: str, ttl: float) -> list[tuple[str, str, dict[str, Any]]]:
        """The entries of *topic*."""
        with self._lock:
            return [(ref, key, meta) for ref, (key, meta) in self._topics.get(topic, {}).items()]

    async def heartbeat(self, worker: str) -> bool:
        """One process: its entries cannot outlive it."""
        return False

    async def reap(self, ttl: float) -> list[Entry]:
        """Nothing expires in one process."""
        return []
