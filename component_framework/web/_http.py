"""HTTP transports: ``POST /event`` (JSON in, JSON out) and ``POST /stream`` (Server-Sent Events).

Both refuse, before anything runs, a request that a cross-site form or a careless client could
send: the body must be ``application/json`` (415 otherwise), carry the ``X-CF-Request`` header
(400 otherwise; a browser sends neither cross-site without CORS permission) and stay under the
size limit (413). The message itself is handled by core's one message path. A client that hangs
up before its body arrived is not an error: nothing runs and nothing is logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, cast

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from component_framework.core._refusals import check_body_size, check_headers
from component_framework.core.protocol import (
    DEFAULT_LIMITS,
    Limits,
    handle_message,
    http_status,
    stream_message,
)
from component_framework.core.streaming import format_sse_frame

from ._context import set_current_request
from ._encoding import NO_STORE, ReplyResponse, decode
from ._errors import RequestRefused

if TYPE_CHECKING:
    from ._app import ComponentApp

__all__ = ["event_endpoint", "stream_endpoint"]

REQUEST_HEADER = "x-cf-request"
_REQUEST_HEADER_KEY = REQUEST_HEADER.encode()
_CHECKED_HEADERS = frozenset({b"content-type", b"content-length", _REQUEST_HEADER_KEY})


async def read_message(
    request: Request,
    max_bytes: int,
    limits: Limits = DEFAULT_LIMITS,
    timeout: float | None = None,
) -> Any:
    """Check the request's headers and size; return the decoded message (or the raw bytes).

    The raw bytes come back when they are not valid JSON, so core reports the error the same
    way on every transport.

    Raises:
        RequestRefused: Wrong content type, missing header, a body over *max_bytes*, or one
            that took longer than *timeout* seconds to arrive.
    """
    content_type, marked, declared = _headers(request.scope["headers"])
    check_headers(content_type, marked, declared, max_bytes)
    try:
        # A client must not hold a request (and the part of the body it sent) for ever.
        async with asyncio.timeout(timeout):
            body = await _read_body(request, max_bytes)
    except TimeoutError:
        raise RequestRefused(
            408,
            "request_timeout",
            f"The request body did not arrive within {timeout:g} s.",
        ) from None
    return decode(body, limits)


async def _read_body(request: Request, max_bytes: int) -> bytes:
    # Straight from ASGI receive: Request.stream() adds an async generator per request.
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            check_body_size(size, max_bytes)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> tuple[str, bool, str]:
    """Return the media type, whether the X-CF-Request header is set, and the content length.

    One pass over the ASGI headers (lower-cased by the server), instead of one per lookup.
    """
    found: dict[bytes, bytes] = {}
    for key, value in raw:
        if key in _CHECKED_HEADERS:
            found.setdefault(key, value)  # the first of repeated headers counts, as in Starlette
    content_type = found.get(b"content-type", b"")
    marked = bool(found.get(_REQUEST_HEADER_KEY))
    length = found.get(b"content-length", b"")
    media_type = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
    return media_type, marked, length.decode("latin-1")


def _refusal(exc: RequestRefused) -> Response:
    return ReplyResponse(exc.body(), status_code=exc.status)


# What a hung-up client "gets": the ASGI server drops a reply to a closed connection.
# 499 is the status nginx logs for this case.
def _gone() -> Response:
    return Response(status_code=499)


async def event_endpoint(app: ComponentApp, request: Request) -> Response:
    """``POST {prefix}/event``: one message in, one reply out, status from the reply."""
    try:
        message = await read_message(request, app.max_body_bytes, app.limits, app.body_timeout)
    except RequestRefused as exc:
        return _refusal(exc)
    except ClientDisconnect:
        return _gone()
    set_current_request(request)
    reply = await handle_message(
        message, request, registry=app.registry, signer=app.signer, limits=app.limits
    )
    return ReplyResponse(reply, status_code=http_status(reply))


async def stream_endpoint(app: ComponentApp, request: Request) -> Response:
    """``POST {prefix}/stream``: one SSE frame per render; ``stream_done`` on the last.

    The first frame is computed before the response starts, so a refused message (permission,
    tampered state, unknown event) gets its real status code, with the error as the only frame.
    """
    try:
        message = await read_message(request, app.max_body_bytes, app.limits, app.body_timeout)
    except RequestRefused as exc:
        return _refusal(exc)
    except ClientDisconnect:
        return _gone()
    set_current_request(request)
    frames = cast(
        AsyncGenerator[dict[str, Any], None],
        stream_message(
            message, request, registry=app.registry, signer=app.signer, limits=app.limits
        ),
    )
    first = await anext(frames)

    async def body() -> AsyncIterator[str]:
        try:
            yield format_sse_frame(first)
            if first.get("type") == "error" or first.get("stream_done"):
                return
            async for frame in frames:
                # Let the loop run between frames: other clients, and the check that notices
                # this client hung up (a handler that never awaits would otherwise stream on
                # into a closed socket, every write logged by asyncio).
                await asyncio.sleep(0)
                yield format_sse_frame(frame)
        finally:
            await frames.aclose()

    headers = {**NO_STORE, "X-Accel-Buffering": "no"}
    return StreamingResponse(
        body(), status_code=http_status(first), media_type="text/event-stream", headers=headers
    )
