"""What the Django views check before a message reaches core, and how replies are encoded.

A request is refused before anything runs unless its body is ``application/json`` (415), it
carries the ``X-CF-Request`` header (400) and it stays under the size limit (413): core's
refusals, as on the Starlette transport. CSRF is Django's business:
its middleware refuses a request without the token before these views are called.
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from component_framework.core._refusals import Refused, check_body_size, check_headers
from component_framework.core.exceptions import ComponentError
from component_framework.core.protocol import Limits, load_message

__all__ = ["NO_STORE", "Refused", "load_user", "read_message", "reply_response"]

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def read_message(request: HttpRequest, limits: Limits) -> Any:
    """Check headers and size; return the decoded message, or the raw body for core to refuse.

    Raises:
        Refused: Wrong content type, no ``X-CF-Request`` header, or a body over the limit.
    """
    limit = limits.max_message_bytes
    check_headers(
        request.content_type,
        bool(request.headers.get("X-CF-Request")),
        request.META.get("CONTENT_LENGTH"),
        limit,
    )
    body = request.body
    check_body_size(len(body), limit)
    try:
        return load_message(body, limits)
    except ComponentError:
        return body  # core answers with the same error on every transport


def encode(data: Any) -> bytes:
    """Compact JSON, UTF-8 where possible (a lone surrogate from the client forces ASCII)."""
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(data, separators=(",", ":")).encode()


def reply_response(reply: dict[str, Any], status: int) -> HttpResponse:
    """The reply as an uncached JSON response."""
    response = HttpResponse(encode(reply), content_type="application/json", status=status)
    for key, value in NO_STORE.items():
        response[key] = value
    return response


def _resolve_user(request: HttpRequest) -> Any:
    user = request.user
    if user.is_authenticated:  # evaluates the lazy user: a session and a user query
        user.get_all_permissions()  # fills the backend's cache: has_perm() needs no query
    return user


async def load_user(request: HttpRequest) -> None:
    """Resolve ``request.user`` and its permissions before the permission classes run.

    For an ``async def`` handler they run on the event loop, where Django forbids queries; a
    request without a session cookie has an anonymous user that needs no query, so it skips
    the thread hop.
    """
    if not hasattr(request, "user"):
        return  # no AuthenticationMiddleware: permission classes see no user
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        request.user.is_authenticated  # noqa: B018  (anonymous: no query)
        return
    request.user = await sync_to_async(_resolve_user)(request)
