"""The component endpoints as Django views: ``event``, ``stream`` (Server-Sent Events), ``htmx``
(htmx requests, ``core.htmx``), ``cf.js``.

A translation of Django's request and response types around core's HTTP layer. They are async
views, so they run on the event loop under ASGI (uvicorn, daphne) and through Django's adapter
under WSGI (runserver, gunicorn), whose server reads a stream's body in a thread of its own;
sync handlers run in a worker thread either way, where they may use the ORM, with the
request's language active (``_hops``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.utils import translation

from component_framework.core._http import (
    HttpReply,
    RequestHead,
    event_reply,
    script_reply,
    stream_reply,
)
from component_framework.core._upload_http import TOKEN_HEADER, UploadRequest, upload_reply_sync
from component_framework.core.htmx import htmx_reply
from component_framework.core.tasks import on_background_loop

from ._config import config
from ._hops import wrap_hops
from ._user import load_user

__all__ = ["event", "htmx", "script", "stream", "upload"]


def _response(reply: HttpReply) -> HttpResponse:
    """Core's reply as a Django response (the whole of this host's translation out)."""
    response: HttpResponse
    if reply.stream is not None:
        response = StreamingHttpResponse(
            reply.stream, status=reply.status, content_type=reply.media_type
        )
    else:
        response = HttpResponse(reply.body, status=reply.status, content_type=reply.media_type)
    for key, value in reply.headers.items():
        response[key] = value
    return response


def _head(request: HttpRequest) -> RequestHead:
    return RequestHead(
        request.content_type,
        bool(request.headers.get("X-CF-Request")),
        request.META.get("CONTENT_LENGTH"),
        bool(request.headers.get("HX-Request")),
        request.headers.get("HX-Current-URL"),
    )


def _body(request: HttpRequest) -> Callable[[], bytes]:
    return lambda: request.body  # read after the header checks


async def event(request: HttpRequest) -> HttpResponse:
    """``POST <prefix>event``: one message in, one reply out, status from the reply."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    await load_user(request)
    hops = wrap_hops(translation.get_language())
    # Under WSGI this view's event loop ends with the request: background tasks need another.
    detached = nullcontext() if isinstance(request, ASGIRequest) else on_background_loop()
    try:
        with detached:
            reply = await event_reply(config(), request, _head(request), _body(request))
    finally:
        # Under WSGI, asgiref copies context changes back to the thread: a later request on
        # it must not run its hops in this one's language.
        hops.var.reset(hops)
    return _response(reply)


async def htmx(request: HttpRequest) -> HttpResponse:
    """``POST <prefix>htmx``: an htmx request in, the component's htmx root out."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    await load_user(request)
    hops = wrap_hops(translation.get_language())
    try:
        reply = await htmx_reply(config(), request, _head(request), _body(request))
    finally:
        hops.var.reset(hops)
    return _response(reply)


async def stream(request: HttpRequest) -> HttpResponse:
    """``POST <prefix>stream``: one SSE frame per render, ``stream_done`` on the last.

    The first frame is computed before the response starts, so a refused message gets its
    real status code with the error as the only frame.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    await load_user(request)
    wrap_hops(translation.get_language())  # for every frame: kept while the body streams
    # A WSGI server iterates the body in its thread, after the view's loop has ended.
    threaded = not isinstance(request, ASGIRequest)
    reply = await stream_reply(config(), request, _head(request), _body(request), threaded=threaded)
    return _response(reply)


async def upload(request: HttpRequest, upload_id: str | None = None) -> HttpResponse:
    """``<prefix>upload`` and ``<prefix>upload/<id>``: a file in chunks (``core.uploads``).

    Django has read (or spooled to a temporary file, under ASGI) the chunk before the view
    runs; the view copies it to the upload in pieces.
    """
    await load_user(request)
    head = UploadRequest(
        request.method or "GET",
        upload_id,
        request.GET.get("offset"),
        request.headers.get(TOKEN_HEADER),
        bool(request.headers.get("X-CF-Request")),
        request.META.get("CONTENT_LENGTH") or None,
    )
    reply = await sync_to_async(upload_reply_sync)(config(), request, head, request.read)
    return _response(reply)


def script(request: HttpRequest, name: str = "cf.js") -> HttpResponse:
    """``GET <prefix>cf.js`` (or an optional script, *name*): immutable when asked for by the
    runtime's content hash."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    etag = request.headers.get("If-None-Match")
    return _response(script_reply(request.GET.get("v"), etag, name))
