"""The component endpoints as Django views: ``event``, ``stream`` (Server-Sent Events), ``cf.js``.

They are async views, so they run on the event loop under ASGI (uvicorn, daphne) and through
Django's adapter under WSGI (runserver, gunicorn); sync handlers run in a worker thread either
way, where they may use the ORM, with the request's language active (``_hops``). Every
message goes through core's one message path.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any, cast

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.utils import translation

from component_framework.core.protocol import handle_message, http_status, stream_message
from component_framework.core.streaming import format_sse_frame

from ._config import config
from ._hops import wrap_hops
from ._http import NO_STORE, Refused, load_user, read_message, reply_response
from ._render import reset_current_request, script_bytes, script_version, set_current_request
from ._sync_stream import SyncStream

__all__ = ["event", "script", "stream"]


async def _accept(request: HttpRequest) -> Any:
    """The message a POST carries (its user loaded), or the response that refuses it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        message = read_message(request, config().limits)
    except Refused as exc:
        return reply_response(exc.reply, exc.status)
    await load_user(request)
    return message


async def event(request: HttpRequest) -> HttpResponse:
    """``POST <prefix>event``: one message in, one reply out, status from the reply."""
    message = await _accept(request)
    if isinstance(message, HttpResponse):
        return message
    settings = config()
    current = set_current_request(request)
    hops = wrap_hops(translation.get_language())
    try:
        reply = await handle_message(
            message,
            request,
            registry=settings.registry,
            signer=settings.signer,
            limits=settings.limits,
        )
    finally:
        # Under WSGI, asgiref copies context changes back to the thread: a later render on
        # it must not see this request (its user, its CSRF token).
        hops.var.reset(hops)
        reset_current_request(current)
    return reply_response(reply, http_status(reply))


async def stream(request: HttpRequest) -> HttpResponse:
    """``POST <prefix>stream``: one SSE frame per render, ``stream_done`` on the last.

    The first frame is computed before the response starts, so a refused message gets its
    real status code with the error as the only frame.
    """
    message = await _accept(request)
    if isinstance(message, HttpResponse):
        return message
    settings = config()
    current = set_current_request(request)
    wrap_hops(translation.get_language())  # for every frame: kept while the body streams
    frames = cast(
        AsyncGenerator[dict[str, Any], None],
        stream_message(
            message,
            request,
            registry=settings.registry,
            signer=settings.signer,
            limits=settings.limits,
        ),
    )
    body: AsyncIterator[str] | Iterator[str]
    if isinstance(request, ASGIRequest):
        first = await anext(frames)
        body = _async_body(first, frames, _done(first))
    else:  # a WSGI server iterates the body in its thread, after the view's loop has ended
        sync_stream = SyncStream(frames)
        first = await sync_stream.first()
        body = sync_stream.body(first, _done(first))
        reset_current_request(current)  # the thread outlives the view: see event()
    response = StreamingHttpResponse(
        body, status=http_status(first), content_type="text/event-stream"
    )
    for key, value in {**NO_STORE, "X-Accel-Buffering": "no"}.items():
        response[key] = value
    return response


def _done(first: dict[str, Any]) -> bool:
    return first.get("type") == "error" or bool(first.get("stream_done"))


async def _async_body(
    first: dict[str, Any], frames: AsyncGenerator[dict[str, Any], None], done: bool
) -> AsyncIterator[str]:
    try:
        yield format_sse_frame(first)
        if not done:
            async for frame in frames:
                yield format_sse_frame(frame)
    finally:
        await frames.aclose()


def script(request: HttpRequest) -> HttpResponse:
    """``GET <prefix>cf.js``: the client script, immutable when asked for by content hash."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    version = script_version()
    etag = f'"{version}"'
    versioned = request.GET.get("v") == version
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable" if versioned else "no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(
        script_bytes(), content_type="text/javascript; charset=utf-8", headers=headers
    )
