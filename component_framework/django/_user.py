"""The user a Django request carries, resolved before the permission classes run.

CSRF is Django's business: its middleware refuses a request without the token before the
views are called.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest

__all__ = ["load_user"]


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
