"""What the components see of a Flask request: the request, and its user.

Flask's request has no ``user``; the permission classes read ``request.user``. A
``ComponentRequest`` carries the Flask request (every attribute reads through to it) and the
user: Flask-Login's ``current_user`` when the app has a ``LoginManager``, else what the app's
``user`` function returns, else None. It is built in the request's own thread, so a message
answered on the background loop (an ``async def`` handler, a WebSocket message) sees the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request

__all__ = ["ComponentRequest", "csrf_headers", "current_user"]


class ComponentRequest:
    """A Flask request with the ``user`` the permission classes check.

    Attributes:
        request: The Flask ``Request`` (its attributes read through: ``headers``, ...).
        user: The logged-in user, or Flask-Login's anonymous user, or None.
    """

    __slots__ = ("request", "user")

    def __init__(self, request: Any, user: Any) -> None:
        self.request = request
        self.user = user

    def __repr__(self) -> str:
        return f"<ComponentRequest {self.request!r} user={self.user!r}>"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.request, name)


def current_user(app: Flask, user: Callable[[], Any] | None) -> Any:
    """The user of the request being served: *user*'s answer, else Flask-Login's, else None."""
    if user is not None:
        return user()
    if getattr(app, "login_manager", None) is not None:
        from flask_login import current_user as login_user

        return login_user._get_current_object()
    return None


def component_request(user: Callable[[], Any] | None) -> ComponentRequest | None:
    """The ``ComponentRequest`` of the request being served, or None outside one."""
    if not has_request_context():
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return ComponentRequest(request._get_current_object(), current_user(app, user))  # type: ignore[attr-defined]


def csrf_headers() -> dict[str, str]:
    """``{header: token}`` when Flask-WTF's ``CSRFProtect`` guards the app, else ``{}``.

    CSRFProtect checks every POST, the component endpoints' too; cf.js sends the token in the
    first header it accepts (``WTF_CSRF_HEADERS``).
    """
    if not has_request_context() or "csrf" not in current_app.extensions:
        return {}
    from flask_wtf.csrf import generate_csrf

    header: str = current_app.config.get("WTF_CSRF_HEADERS", ["X-CSRFToken"])[0]
    return {header: generate_csrf()}
