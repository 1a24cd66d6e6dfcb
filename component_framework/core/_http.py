"""What every HTTP host does, once: the event and stream endpoints and cf.js, host-neutral.

A host (the Starlette transport, the Django and Litestar adapters) translates its request into
a ``RequestHead`` and a body source, calls ``event_reply``, ``stream_reply`` or
``script_reply``, and translates the ``HttpReply`` into its response type. Everything
else happens here, the same way for every host:

- refusals before anything runs: the body must be ``application/json`` (415), carry the
  ``X-CF-Request`` header (400: a cross-site form cannot send it), stay under the size limit
  (413) and arrive within the body timeout (408); a client that hangs up before its body
  arrived gets nothing run and nothing logged (499, what nginx logs for it);
- the message, through core's one message path (the request is the current request meanwhile,
  for nested components);
- for a stream, the first frame computed before the response starts, so a refusal gets its real
  status with the error as the only frame; then the frame loop, which lets the event loop run
  between frames; for a WSGI host, the frames on an event loop of their own
  (``ThreadedFrames``);
- uncached, never-sniffed replies, each naming the cf.js this server serves (``X-CF-Version``,
  its hash: a page running another one reloads at a safe moment); cf.js with its ETag,
  immutable when asked for by hash.

The refusals are one exception, ``Refused``, carrying its ``status`` and ``code``:

| status | code | why |
| --- | --- | --- |
| 400 | missing_header | no X-CF-Request header (not sent by cf.js; htmx: no HX-Request) |
| 408 | request_timeout | the body took longer than the body timeout |
| 413 | too_large | a body larger than the limit |
| 415 | unsupported_media_type | not application/json (the htmx endpoint: not form-encoded) |

Everything else (bad JSON, unknown component, permissions, tampered state) is decided by the
message path and mapped with ``http_status``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from ._json import wire_bytes
from ._scripts import CORE_SCRIPT, SCRIPT_FILES, script_bytes, script_version
from ._sse import last as _last
from ._sse import sse as _sse
from ._sse import sse_body as _sse_body
from .config import AppConfig
from .protocol import handle_message, http_status, stream_message

__all__ = [
    "HTMX_HEADER",
    "NO_STORE",
    "REQUEST_HEADER",
    "VERSION_HEADER",
    "AsgiBody",
    "HttpReply",
    "Refused",
    "RequestHead",
    "ThreadedFrames",
    "event_reply",
    "json_reply",
    "script_bytes",
    "script_reply",
    "script_version",
    "stream_reply",
]

REQUEST_HEADER = "x-cf-request"
"""The header cf.js sends with every request; a cross-site form cannot send it."""

HTMX_HEADER = "hx-request"
"""The header htmx sends with every request; a cross-site form cannot send it either."""

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
"""Headers of every reply, streamed or not: never cached, never content-sniffed."""

_SSE_HEADERS = {**NO_STORE, "X-Accel-Buffering": "no"}
VERSION_HEADER = "X-CF-Version"
"""The header of every event and stream reply naming the served cf.js (``script_version``)."""
_JSON = "application/json"
_EVENT_STREAM = "text/event-stream"
_SCRIPT_TYPE = "text/javascript; charset=utf-8"
_FORM = "application/x-www-form-urlencoded"
_CHECKED = frozenset(
    {
        b"content-type",
        b"content-length",
        REQUEST_HEADER.encode(),
        HTMX_HEADER.encode(),
        b"hx-current-url",
    }
)


class Refused(Exception):
    """An HTTP request refused by the host layer itself; nothing was run."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reply: dict[str, Any] = {"type": "error", "error": message, "code": code}

    def body(self) -> dict[str, Any]:
        """The wire reply: the same error shape core uses."""
        return dict(self.reply)


class _Gone(Exception):
    """The client hung up before its body arrived."""


@dataclass(frozen=True, slots=True)
class RequestHead:
    """What the checks read from a request's headers."""

    content_type: str | None
    marked: bool
    """Whether the ``X-CF-Request`` header is set (to anything but an empty value)."""
    content_length: str | None
    htmx: bool = False
    """Whether the ``HX-Request`` header is set (an htmx request)."""
    current_url: str | None = None
    """htmx's ``HX-Current-URL``: the page's URL, where a ``patch_url`` effect applies."""

    @classmethod
    def from_asgi(cls, headers: Iterable[tuple[bytes, bytes]]) -> RequestHead:
        """Read an ASGI scope's ``headers`` in one pass (the first of repeated headers counts,
        as in Starlette)."""
        found: dict[bytes, bytes] = {}
        for key, value in headers:
            if key in _CHECKED:
                found.setdefault(key, value)
        return cls(
            found.get(b"content-type", b"").decode("latin-1"),
            bool(found.get(b"x-cf-request")),
            found.get(b"content-length", b"").decode("latin-1"),
            bool(found.get(b"hx-request")),
            _text(found.get(b"hx-current-url")),
        )


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


@dataclass(frozen=True, slots=True)
class AsgiBody:
    """An ASGI host's body: read from ``receive`` here, under the limit and the timeout."""

    receive: Callable[[], Awaitable[Any]]


Body = AsgiBody | Callable[[], bytes]
"""An ASGI ``receive``, or a function returning the body a WSGI host (or Django) has read."""


@dataclass(slots=True)
class HttpReply:
    """A reply for the host to translate into its response type.

    ``stream`` is set for an SSE reply: an async iterator of frames, or a sync one from
    ``ThreadedFrames`` for a WSGI host; ``body`` is empty then.
    """

    status: int
    media_type: str | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    stream: AsyncIterator[bytes] | Iterator[bytes] | None = None


def json_reply(reply: dict[str, Any], status: int) -> HttpReply:
    """*reply* as an uncached JSON reply (with ``Retry-After`` when it says when to retry)."""
    headers = {**NO_STORE, VERSION_HEADER: script_version()}
    if "retry_after" in reply:
        headers["Retry-After"] = str(reply["retry_after"])
    return HttpReply(status, _JSON, headers, wire_bytes(reply))


# ---------- Reading a request ----------


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise Refused(413, "too_large", f"Request body is {size:,} bytes (limit: {limit:,}).")


def _check_head(head: RequestHead, limit: int, *, htmx: bool = False) -> None:
    media_type = (head.content_type or "").split(";", 1)[0].strip().lower()
    expected = _FORM if htmx else _JSON
    if media_type != expected:
        raise Refused(
            415,
            "unsupported_media_type",
            f"Content-Type must be {expected}, got {media_type or 'none'!r}.",
        )
    if htmx and not head.htmx:
        raise Refused(
            400,
            "missing_header",
            "Missing the HX-Request header: the htmx endpoint answers requests htmx sends.",
        )
    if not htmx and not head.marked:
        raise Refused(
            400,
            "missing_header",
            "Missing the X-CF-Request header: component events are sent by cf.js; "
            "other clients must send 'X-CF-Request: 1'.",
        )
    length = head.content_length
    if length and length.isdigit():
        _check_size(int(length), limit)


async def _read_asgi(receive: Callable[[], Awaitable[Any]], limit: int) -> bytes:
    # Straight from ASGI receive: a framework's body stream adds a generator per request.
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone()
        chunk = message.get("body", b"")
        size += len(chunk)
        _check_size(size, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _read(
    config: AppConfig, head: RequestHead, body: Body, *, htmx: bool = False
) -> bytes | HttpReply:
    # The raw body (the message path decodes it: the same errors on every transport), or the
    # reply that refuses the request.
    try:
        return await _read_checked(config, head, body, htmx=htmx)
    except Refused as exc:
        return json_reply(exc.reply, exc.status)
    except _Gone:
        # What a hung-up client "gets": the server drops a reply to a closed connection.
        return HttpReply(499, None)


async def _read_checked(
    config: AppConfig, head: RequestHead, body: Body, *, htmx: bool = False
) -> bytes:
    limit = config.max_body_bytes
    _check_head(head, limit, htmx=htmx)
    if isinstance(body, AsgiBody):
        timeout = config.body_timeout
        try:
            # A client must not hold a request (and the part of the body it sent) for ever.
            async with asyncio.timeout(timeout):
                raw = await _read_asgi(body.receive, limit)
        except TimeoutError:
            raise Refused(
                408, "request_timeout", f"The request body did not arrive within {timeout:g} s."
            ) from None
    else:
        raw = body()
        _check_size(len(raw), limit)
    return raw


# ---------- The endpoints ----------


async def event_reply(config: AppConfig, request: Any, head: RequestHead, body: Body) -> HttpReply:
    """``POST {prefix}/event``: one message in, one reply out, the status from the reply."""
    message = await _read(config, head, body)
    if isinstance(message, HttpReply):
        return message
    reply = await handle_message(message, request, config=config)
    return json_reply(reply, http_status(reply))


async def stream_reply(
    config: AppConfig, request: Any, head: RequestHead, body: Body, *, threaded: bool = False
) -> HttpReply:
    """``POST {prefix}/stream``: one SSE frame per render; ``stream_done`` on the last.

    The first frame is computed before the reply starts, so a refused message (permission,
    tampered state, unknown event) gets its real status code with the error as the only frame.
    *threaded*: the host iterates the body in a thread without an event loop (WSGI); the
    frames then run on a loop of their own (``ThreadedFrames``).
    """
    message = await _read(config, head, body)
    if isinstance(message, HttpReply):
        return message
    frames = cast(
        AsyncGenerator[dict[str, Any], None], stream_message(message, request, config=config)
    )
    stream: AsyncIterator[bytes] | Iterator[bytes]
    if threaded:
        threaded_frames = ThreadedFrames(frames)
        first = await threaded_frames.first()
        stream = threaded_frames.body(first)
    else:
        first = await anext(frames)
        stream = _sse_body(first, frames, config.stream_send_timeout)
    headers = {**_SSE_HEADERS, VERSION_HEADER: script_version()}
    if "retry_after" in first:
        headers["Retry-After"] = str(first["retry_after"])
    return HttpReply(http_status(first), _EVENT_STREAM, headers, stream=stream)


class ThreadedFrames:
    """A stream's frames on an event loop of their own, for a host that reads the body in a
    thread without one (a WSGI server).

    The frames' async generator must run on one loop that outlives the view (a WSGI adapter's
    loop, asgiref's under Django, closes every async generator it started when the view
    returns): it runs on a loop in a thread of its own, started per stream, stopped at its end.
    """

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

    def body(self, first: dict[str, Any]) -> Iterator[bytes]:
        """The SSE body: *first*, then every further frame as it is made."""
        try:
            yield _sse(first)
            if _last(first):
                return
            while True:
                future = asyncio.run_coroutine_threadsafe(self._next(), self._loop)
                try:
                    frame = future.result()
                except StopAsyncIteration:
                    return
                yield _sse(frame)
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


# ---------- cf.js ----------


def script_reply(
    version: str | None, if_none_match: str | None, name: str = CORE_SCRIPT
) -> HttpReply:
    """``GET {prefix}/cf.js`` (or an optional script, *name*): immutable when asked for by the
    runtime's hash (``?v=``), else revalidated; 404 for a name that is not one of its scripts.

    Args:
        version: The ``v`` query parameter.
        if_none_match: The ``If-None-Match`` header.
        name: The file asked for (``cf-navigate.js``, ...).
    """
    if name not in SCRIPT_FILES:
        return HttpReply(404, "text/plain; charset=utf-8", {}, b"Not a script of cf.js.")
    current = script_version()
    # The release's hash names cf.js; an optional script's name is added to it.
    etag = f'"{current}"' if name == CORE_SCRIPT else f'"{current}-{name}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable"
        if version == current
        else "no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    if etag in (if_none_match or ""):
        return HttpReply(304, None, headers)
    return HttpReply(200, _SCRIPT_TYPE, headers, script_bytes(name))
