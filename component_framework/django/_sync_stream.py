"""An SSE stream for WSGI servers, which iterate the response in a thread with no event loop.

The stream's async generator must run on one loop that outlives the view (asgiref's loop, on
which the view runs under WSGI, closes every async generator it started when the view
returns): it runs on a loop in a thread of its own, started per stream, stopped at its end.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Iterator
from typing import Any

from component_framework.core.streaming import format_sse_frame

__all__ = ["SyncStream"]


class SyncStream:
    """Frames of *frames* for a sync iterator, the first one awaited in the view for its status."""

    def __init__(self, frames: AsyncGenerator[dict[str, Any], None]) -> None:
        self._frames = frames
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="cf-sse-stream", daemon=True
        )
        self._thread.start()

    async def _next(self) -> dict[str, Any]:
        # anext() here, on the stream's loop: creating the awaitable registers the generator
        # with the running loop of the calling thread, which would close it when it ends.
        return await anext(self._frames)

    async def first(self) -> dict[str, Any]:
        """The first frame, computed on the stream's loop."""
        future = asyncio.run_coroutine_threadsafe(self._next(), self._loop)
        try:
            return await asyncio.wrap_future(future)
        except BaseException:
            self.close()
            raise

    def body(self, first: dict[str, Any], done: bool) -> Iterator[str]:
        """The SSE body: *first*, then every further frame as it is made."""
        try:
            yield format_sse_frame(first)
            while not done:
                future = asyncio.run_coroutine_threadsafe(self._next(), self._loop)
                try:
                    frame = future.result()
                except StopAsyncIteration:
                    break
                yield format_sse_frame(frame)
        finally:
            self.close()

    async def _close_frames(self) -> None:
        await self._frames.aclose()
        # Closing it drops the generators it was iterating; asyncio finalizes each in a task
        # of its own, scheduled from another callback: let them all run before the loop stops.
        await asyncio.sleep(0)
        while pending := asyncio.all_tasks() - {asyncio.current_task()}:
            await asyncio.wait(pending)
            await asyncio.sleep(0)

    def close(self) -> None:
        """Close the generator and stop the stream's loop and thread."""
        if not self._loop.is_running():
            return
        closing = asyncio.run_coroutine_threadsafe(self._close_frames(), self._loop)
        closing.result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
