"""What every WSGI host does (a Flask app under Werkzeug or gunicorn), once.

A WSGI server calls the app in a thread of its own with no event loop. Core's HTTP layer
(``_http``) works the same here, with two differences of place:

- a message whose handler is a ``def`` runs right in the server's thread: it is already a
  worker thread, so no hop is needed (``event_reply_sync``);
- an ``async def`` handler, a stream's first frame, the WebSocket and the delivery of pushes run
  on the process's one background event loop (``background_loop()``), started on first use in
  a daemon thread (again after a fork: gunicorn's workers each get their own).

The host reads the body itself, after ``check_head`` passed and within ``read_limit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._background import BackgroundLoop, background_loop
from ._execution import answer, answer_here
from ._http import HttpReply, Refused, RequestHead, _check_head, _check_size, json_reply
from ._http import stream_reply as _stream_reply
from ._message import json_object, load_message, read_message
from ._reply import error_reply, http_status
from .config import AppConfig
from .protocol import BATCH, handle_message

__all__ = [
    "BackgroundLoop",
    "background_loop",
    "check_head",
    "event_reply_sync",
    "handle_message_sync",
    "stream_reply_sync",
]


def check_head(config: AppConfig, head: RequestHead) -> HttpReply | None:
    """The reply refusing a request by its headers alone (415, 400, 413), or None."""
    try:
        _check_head(head, config.max_body_bytes)
    except Refused as exc:
        return json_reply(exc.reply, exc.status)
    return None


def _checked_body(config: AppConfig, head: RequestHead, body: Callable[[], bytes]) -> Any:
    refused = check_head(config, head)
    if refused is not None:
        return refused
    raw = body()
    try:
        _check_size(len(raw), config.max_body_bytes)
    except Refused as exc:
        return json_reply(exc.reply, exc.status)
    return raw


def handle_message_sync(raw: str | bytes, request: Any, config: AppConfig) -> dict[str, Any]:
    """Answer a message from a thread without a loop; every error becomes an error reply.

    A ``def`` handler runs here; an ``async def`` one on the background loop. A
    ``component_batch`` is answered on the background loop by core's ``handle_message`` (its
    ``def`` handlers in worker threads), so batches are handled in one place.
    """
    try:
        message = json_object(load_message(raw, config.limits))
        if message.get("type") == BATCH:
            return background_loop().run(handle_message(message, request, config=config))
        parsed = read_message(message, config)
        if parsed.runs_on_loop:
            return background_loop().run(answer(parsed, request, None, config))
        return answer_here(parsed, request, None, config)
    except Exception as exc:
        return error_reply(exc)


def event_reply_sync(
    config: AppConfig, request: Any, head: RequestHead, body: Callable[[], bytes]
) -> HttpReply:
    """``POST {prefix}/event`` for a WSGI host: the same checks and reply as ``event_reply``.

    Args:
        body: Returns the body (at most ``config.max_body_bytes + 1`` bytes are needed to
            refuse an oversize one); called only once the headers passed.
    """
    raw = _checked_body(config, head, body)
    if isinstance(raw, HttpReply):
        return raw
    reply = handle_message_sync(raw, request, config)
    return json_reply(reply, http_status(reply))


def stream_reply_sync(
    config: AppConfig, request: Any, head: RequestHead, body: Callable[[], bytes]
) -> HttpReply:
    """``POST {prefix}/stream`` for a WSGI host: the first frame on the background loop, the
    rest as the server iterates the body (``ThreadedFrames``)."""
    raw = _checked_body(config, head, body)
    if isinstance(raw, HttpReply):
        return raw
    return background_loop().run(_stream_reply(config, request, head, lambda: raw, threaded=True))
