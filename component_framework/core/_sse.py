"""A streamed reply's body: its frames as Server-Sent Events, each taken within a deadline.

The host writes each frame yielded here before it asks for the next one. A client that stops
reading (a frozen tab) would keep that write, the stream, its component and the request's task
waiting for as long as it keeps the connection open: past ``AppConfig.stream_send_timeout``
the task is cancelled, which ends the response (the server closes the connection) and lets
the stream and its component go. A WSGI host's frames (``ThreadedFrames``) are written by the
WSGI server, whose own write timeout applies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from .streaming import format_sse_frame

__all__ = ["last", "sse", "sse_body"]

logger = logging.getLogger("component_framework")


def sse(frame: dict[str, Any]) -> bytes:
    """*frame* as one Server-Sent Event."""
    return format_sse_frame(frame).encode()


def last(frame: dict[str, Any]) -> bool:
    """Whether *frame* ends its stream (an error, or ``stream_done``)."""
    return frame.get("type") == "error" or bool(frame.get("stream_done"))


async def sse_body(
    first: dict[str, Any],
    frames: AsyncGenerator[dict[str, Any], None],
    send_timeout: float | None = None,
) -> AsyncIterator[bytes]:
    """*first*, then the rest of *frames*, as events; each must be taken within
    *send_timeout* seconds (None: no limit), else the stream is closed (module docstring)."""
    try:
        with _taken_within(send_timeout, frames):
            yield sse(first)
        if last(first):
            return
        async for frame in frames:
            # Let the loop run between frames: other clients, and the check that notices this
            # client hung up (a handler that never awaits would otherwise stream on into a
            # closed socket, every write logged by asyncio).
            await asyncio.sleep(0)
            with _taken_within(send_timeout, frames):
                yield sse(frame)
    finally:
        await frames.aclose()


@contextmanager
def _taken_within(timeout: float | None, frames: AsyncGenerator[Any, None]) -> Iterator[None]:
    # The host writes a yielded frame before it asks for the next one, in the task that asked.
    # A client that stops reading (a frozen tab) keeps that write waiting for good, and with it
    # the stream, its component and the task: past *timeout* the task is cancelled, which ends
    # the response (the server then closes the connection), and the stream is closed.
    if timeout is None:
        yield
        return
    task = asyncio.current_task()
    handle = asyncio.get_running_loop().call_later(timeout, _stalled, task, timeout, frames)
    try:
        yield
    finally:
        handle.cancel()


_closing: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks


def _stalled(
    task: asyncio.Task[Any] | None, timeout: float, frames: AsyncGenerator[Any, None]
) -> None:
    logger.warning(
        "Closed a stream whose client took no frame for %gs (stream_send_timeout).", timeout
    )
    if task is not None:
        task.cancel(f"The client took no frame of the stream for {timeout:g}s.")
    # The host may hold this body a while after its task ends (its traceback does): the
    # component's frames are closed now, not whenever that is collected.
    closing = asyncio.get_running_loop().create_task(_close(frames))
    _closing.add(closing)
    closing.add_done_callback(_closing.discard)


async def _close(frames: AsyncGenerator[Any, None]) -> None:
    with suppress(RuntimeError):  # already being closed by the body's own end
        await frames.aclose()
