"""The dev tools acting as a Django user (``cf dispatch --user``, stories): by username."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory

__all__ = ["django_request_as"]


def django_request_as(username: str) -> Any:
    """A request whose ``user`` is the user called *username* (Django's user model).

    Raises:
        UserNotFoundError: No such user, or ``DEBUG`` is off (never act as a user in
            production).
    """
    from component_framework._dev_users import UserNotFoundError

    if not settings.DEBUG:
        raise UserNotFoundError(
            f"cannot act as {username!r}: DEBUG is off in these settings, and the dev tools "
            "act as a user in development only"
        )
    model = get_user_model()
    try:
        user = model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        raise UserNotFoundError(
            f"no user {username!r} in the database ({model.__name__}.{model.USERNAME_FIELD}); "
            "create it (manage.py createsuperuser) or pick another"
        ) from None
    request = RequestFactory().get("/")
    request.user = user
    return request
