"""Brokers: how a push published on one process reaches the pages connected to every process.

The WebSocket manager publishes every push (a JSON text) through its broker and delivers what
the broker hands back to the pages connected to this process. A broker has three operations:

- ``await broker.publish(text)``: hand one push to every process (this one included);
- ``async for text in broker.deliveries()``: the pushes, in the order they were published;
  ``None`` each time the subscription starts or restarts (after an outage, pushes may have
  been lost in between, so the pages must re-sync);
- ``await broker.close()``.

``InMemoryBroker`` (the default: one process, ``cf dev``, tests) and
``RedisBroker`` (``CF_BROKER_URL=redis://...``)
implement it; a PostgreSQL LISTEN/NOTIFY or NATS broker would implement the same three.

Example:

    manager = ComponentWebSocketManager(broker=broker_from_url("redis://localhost:6379/0"))
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .exceptions import ConfigurationError

if TYPE_CHECKING:
    import asyncio

__all__ = ["Broker", "BrokerUnavailable", "InMemoryBroker", "broker_from_url"]


class BrokerUnavailable(ConnectionError):
    """The broker cannot be reached right now; the caller keeps the push and retries."""


class Broker(ABC):
    """Carries pushes between the processes of one app."""

    @abstractmethod
    async def publish(self, message: str) -> None:
        """Hand *message* to every process subscribed to this broker.

        Raises:
            BrokerUnavailable: The broker cannot be reached; nothing was published.
        """

    @abstractmethod
    def deliveries(self) -> AsyncIterator[str | None]:
        """Yield every published message in publish order, and ``None`` once subscribed.

        The iterator survives outages: it reconnects by itself and yields ``None`` again once
        it is back (messages may have been lost meanwhile), so the caller can bring its pages
        back in step.
        """

    @abstractmethod
    async def close(self) -> None:
        """Release connections; pending iterations of ``deliveries`` end."""


class InMemoryBroker(Broker):
    """The broker of a single process: publish hands the message straight to its deliveries.

    Args:
        max_pending: Messages held for a delivery iterator that is not keeping up; beyond it
            they are dropped and the iterator yields ``None`` (re-sync) instead.
    """

    def __init__(self, max_pending: int = 10_000) -> None:
        self._queues: list[asyncio.Queue[str | None]] = []
        self._max_pending = max_pending

    def __repr__(self) -> str:
        return f"<InMemoryBroker deliveries={len(self._queues)}>"

    async def publish(self, message: str) -> None:
        """Queue *message* for every delivery iterator of this process."""
        for queue in self._queues:
            if queue.qsize() >= self._max_pending:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
            queue.put_nowait(message)

    async def deliveries(self) -> AsyncIterator[str | None]:
        """Yield what ``publish`` queues, in order."""
        import asyncio

        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._queues.append(queue)
        try:
            yield None  # subscribed
            while True:
                yield await queue.get()
        finally:
            self._queues.remove(queue)

    async def close(self) -> None:
        """Nothing to release."""


def broker_from_url(url: str | None = None) -> Broker:
    """Return the broker for *url* (default: ``CF_BROKER_URL``); in-memory when there is none.

    ``redis://`` and ``rediss://`` URLs give a Redis broker (``pip install
    cf-components[redis]``).

    Raises:
        ConfigurationError: The URL's scheme names no known broker.
    """
    url = url if url is not None else os.environ.get("CF_BROKER_URL", "")
    if not url or url == "memory://":
        return InMemoryBroker()
    scheme = url.partition("://")[0].lower()
    if scheme in ("redis", "rediss", "unix"):
        from .redis_broker import RedisBroker

        return RedisBroker(url)
    raise ConfigurationError(
        f"CF_BROKER_URL {url!r} names no known broker: use redis://host:port/db "
        "(or leave it unset for the in-memory broker of a single process)."
    )
