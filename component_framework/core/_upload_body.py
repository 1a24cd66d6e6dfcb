"""An upload request's body, from its two kinds of host: read as it arrives within the body
timeout (ASGI), or with ``read(n)`` in the host's own thread (WSGI, Django); a chunk's pieces
written to the store as they come.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import suppress
from typing import TypeVar

from ._http import AsgiBody, _Gone
from .config import AppConfig

__all__ = ["START_LIMIT", "AsgiSource", "Read", "ReadSource"]

START_LIMIT = 64 * 1024  # a start, or a confirmation listing a large file's parts

T = TypeVar("T")

Read = Callable[[int], bytes]
"""A WSGI (or Django) host's body: ``read(n)`` returns at most *n* bytes, ``b""`` at the end."""


class AsgiSource:
    """An ASGI host's body, read as it arrives, within the body timeout."""

    def __init__(self, body: AsgiBody, config: AppConfig) -> None:
        self.receive = body.receive
        self.timeout = config.body_timeout

    async def whole(self) -> bytes:
        return b"".join([piece async for piece in self.pieces(START_LIMIT)])

    @staticmethod
    async def run(function: Callable[[], T]) -> T:
        # The store's work (a begin may sweep every record, an object store answers over the
        # network) in a worker thread: the loop goes on serving every other request.
        return await asyncio.to_thread(function)

    async def pieces(self, limit: int) -> AsyncGenerator[bytes, None]:
        # *limit*: the caller refuses what goes past it; one piece past it is enough to see.
        received = 0
        async with asyncio.timeout(self.timeout):
            while True:
                message = await self.receive()
                if message["type"] == "http.disconnect":
                    raise _Gone()
                data = message.get("body", b"")
                received += len(data)
                yield data
                if not message.get("more_body", False) or received > limit:
                    return

    @staticmethod
    async def write_all(
        pieces: AsyncIterator[bytes], write: Callable[[bytes], None], check: Callable[[int], None]
    ) -> None:
        # Each piece is written in a worker thread while the loop receives the next one: the
        # loop never waits on the disk, and at most two pieces are held.
        loop = asyncio.get_running_loop()
        writing: asyncio.Future[None] | None = None
        received = 0
        try:
            async for data in pieces:
                received += len(data)
                check(received)
                if writing is not None:
                    await _settled(writing)
                writing = loop.run_in_executor(None, write, data)
            if writing is not None:
                await _settled(writing)
                writing = None
        finally:
            # Refused, hung up or cancelled mid-write: the store may undo the chunk and close
            # its file only once no thread writes to it.
            if writing is not None:
                with suppress(Exception):
                    await _settled(writing)


async def _settled(writing: asyncio.Future[None]) -> None:
    # Wait for a write to finish, even through a cancellation (raised once it has).
    cancelled = False
    while not writing.done():
        try:
            await asyncio.wait([writing])
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    writing.result()


class ReadSource:
    """A WSGI host's (or Django's) body, read with ``read(n)``: every call returns at once."""

    def __init__(self, read: Read) -> None:
        self.read = read

    async def whole(self) -> bytes:
        return self.read(START_LIMIT + 1)

    @staticmethod
    async def run(function: Callable[[], T]) -> T:
        # A sync host serves the request in a thread of its own.
        return function()

    @staticmethod
    async def write_all(
        pieces: AsyncIterator[bytes], write: Callable[[bytes], None], check: Callable[[int], None]
    ) -> None:
        # A sync host serves the request in a thread of its own: write where it runs.
        received = 0
        async for data in pieces:
            received += len(data)
            check(received)
            write(data)

    async def pieces(self, limit: int) -> AsyncGenerator[bytes, None]:
        received = 0
        while data := self.read(min(64 * 1024, limit - received + 1)):
            received += len(data)
            yield data
            if received > limit:
                return
