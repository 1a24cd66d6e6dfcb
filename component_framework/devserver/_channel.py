"""The live-reload channel: Server-Sent Events from the dev server to every open dev page.

Messages are JSON objects with a ``type``:

- ``hello``: sent first on every connection, with the current ``errors`` (so a page opened
  while a file is broken shows the overlay) and the reload ``version``.
- ``reload``: files changed and were reloaded; ``kind`` is ``"template"`` or ``"python"``,
  ``errors`` lists what is still broken (empty: re-render the components with their state).
- ``error``: an error happened while rendering or handling an event (shown, not persistent).
- ``event``: an event went through the transport (the playground's event log).
- ``registry``: the set of registered components changed (the gallery refreshes).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

__all__ = ["LiveChannel"]

_HEARTBEAT_SECONDS = 15.0


class LiveChannel:
    """Fan-out of dev messages to connected pages; one queue per open page."""

    def __init__(self, hello: Callable[[], dict[str, Any]] | None = None) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self.hello: Callable[[], dict[str, Any]] = hello or (lambda: {})
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    def __repr__(self) -> str:
        return f"<LiveChannel pages={len(self._queues)}>"

    def __len__(self) -> int:
        return len(self._queues)

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        """Open a queue that receives every message from now on (None: the channel closed)."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        """Stop delivering to *queue*."""
        self._queues.discard(queue)

    def publish(self, message: dict[str, Any]) -> None:
        """Send *message* to every connected page (from the event loop's thread)."""
        for queue in list(self._queues):
            queue.put_nowait(message)

    def publish_threadsafe(self, message: dict[str, Any]) -> None:
        """Send *message* from any thread (log records come from worker threads)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.publish(message)
        else:
            loop.call_soon_threadsafe(self.publish, message)

    def close(self) -> None:
        """End every open stream (server shutdown), so no connection holds the exit up."""
        self.closed = True
        loop = self._loop
        for queue in list(self._queues):
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, None)
            else:
                queue.put_nowait(None)

    async def stream(self) -> AsyncIterator[str]:
        """Yield SSE text for one page until it disconnects or the server stops."""
        self._loop = asyncio.get_running_loop()
        queue = self.subscribe()
        try:
            yield _frame({"type": "hello", **self.hello()})
            while not self.closed:
                try:
                    message = await asyncio.wait_for(queue.get(), _HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if message is None:
                    return
                yield _frame(message)
        finally:
            self.unsubscribe(queue)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the loop that serves the pages (for ``publish_threadsafe``); reopen."""
        self._loop = loop
        self.closed = False


def _frame(message: dict[str, Any]) -> str:
    return f"data: {json.dumps(message, separators=(',', ':'), default=str)}\n\n"
