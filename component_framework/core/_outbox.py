"""A connection's outgoing pushes: a bounded queue drained by one writer with a send timeout.

Pushes are put without waiting (a push never waits on a page); the writer sends them in order.
A page that falls behind (its queue is full, or one send takes longer than the timeout) is
dropped: the queue is emptied, the socket closed, and the page re-syncs when it reconnects.

On Python 3.12+ the writer starts eagerly: a send that need not wait (the page reads) is done
before ``put`` returns and leaves no task behind, so a push to a thousand pages does not make a
thousand tasks for the garbage collector to walk (bench/push_fanout.py). Only a page whose
socket is full keeps a writer task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .websocket import WebSocketConnection

__all__ = ["Outbox"]

logger = logging.getLogger("component_framework")

_CLOSE_TIMEOUT = 2.0


class Outbox:
    """The pushes waiting for one connection.

    Args:
        connection: Where the writer sends.
        max_messages: Pushes held for a page before it counts as fallen behind (or a function
            returning it, for a limit that follows the page's subscriptions).
        send_timeout: Seconds one send may take before the page counts as fallen behind.
        on_drop: Called once when the page is dropped (the manager forgets its subscriptions).
    """

    def __init__(
        self,
        connection: WebSocketConnection,
        *,
        max_messages: int | Callable[[], int],
        send_timeout: float,
        on_drop: Callable[[], None],
    ) -> None:
        self.connection = connection
        self._max = max_messages
        self._timeout = send_timeout
        self._on_drop = on_drop
        self._queue: deque[dict[str, Any]] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._deadline: asyncio.Timeout | None = None  # of the send under way
        self.dropped = False

    def __repr__(self) -> str:
        return f"<Outbox queued={len(self._queue)} dropped={self.dropped}>"

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, message: dict[str, Any]) -> bool:
        """Queue *message* (never waits); return False if the page is or gets dropped."""
        if self.dropped:
            return False
        limit = self._max() if callable(self._max) else self._max
        if len(self._queue) >= limit:
            self.drop(f"{limit} pushes waiting")
            return False
        self._queue.append(message)
        if self._writer is None:
            self._start_writer()
        return not self.dropped  # an eager send may have failed already

    def _start_writer(self) -> None:
        loop = asyncio.get_running_loop()
        if sys.version_info >= (3, 12):
            # The first send starts untimed: most finish before the task returns here, and a
            # timer per send would leave a cancelled timer per page in the loop's heap.
            writer = asyncio.Task(self._write(timed=False), loop=loop, eager_start=True)
        else:
            writer = loop.create_task(self._write(timed=True))
        if writer.done():  # an eager writer that sent everything
            return
        self._writer = writer
        deadline = self._deadline
        if deadline is not None and deadline.when() is None:  # the first send waits: time it
            deadline.reschedule(loop.time() + self._timeout)

    async def idle(self) -> None:
        """Wait until every queued push was sent (or the page dropped)."""
        while self._writer is not None:
            await asyncio.wait({self._writer})

    async def _write(self, *, timed: bool) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                message = self._queue.popleft()
                when = loop.time() + self._timeout if timed else None
                timed = True
                try:
                    async with asyncio.timeout_at(when) as self._deadline:  # no task per send
                        await self.connection.send(message)
                except TimeoutError:
                    self.drop(f"a send took over {self._timeout:g}s")
                    return
                except Exception as exc:  # the socket is gone; the page reconnects
                    self.drop(f"send failed ({type(exc).__name__})")
                    return
        finally:
            self._writer = self._deadline = None

    def drop(self, reason: str) -> None:
        """Drop the page: forget its pushes, close its socket, tell the manager (once)."""
        if self.dropped:
            return
        self.dropped = True
        self._queue.clear()
        logger.warning("Dropped a WebSocket that fell behind (%s): %r", reason, self.connection)
        writer, self._writer = self._writer, None
        if writer is not None and writer is not asyncio.current_task():
            writer.cancel()
        self._on_drop()
        task = asyncio.get_running_loop().create_task(self._close())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    async def _close(self) -> None:
        # A socket whose peer does not read may never finish closing: do not wait on it.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.connection.drop(), _CLOSE_TIMEOUT)


_closing: set[asyncio.Task[None]] = set()  # strong references until each close ends
