"""The dev tools acting as a user: ``cf dispatch --user``, stories' ``user``, the playground.

A name becomes a user: in a Django project, the user model's user with that username; in any
project, what ``[tool.cf] users = "module:function"`` returns for it. The request the component
then sees carries that user, so ``IsAuthenticated``, ``DjangoModelPermission`` and your own
permission classes grant what they would grant that user. Only the dev tools call this: an app
serving pages never does (and in Django only with ``DEBUG = True``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["DevRequest", "UserNotFoundError", "request_as"]


class Project(Protocol):
    """What finding users needs of a project (``project.Project`` and ``cf dev``'s have it)."""

    users: str | None
    django_settings: str | None


class UserNotFoundError(LookupError):
    """No user of that name, or no way to find users; the message says what to do."""


@dataclass
class DevRequest:
    """What the permission classes see when a dev tool acts as *user*."""

    user: Any


def request_as(project: Project, name: str | None) -> Any:
    """A request for the user called *name* (None: no request, as before).

    Raises:
        UserNotFoundError: No such user, or the project has no way to find one.
    """
    if name is None:
        return None
    if project.users:
        return DevRequest(_hooked_user(project.users, name))
    if project.django_settings:
        from component_framework.django._dev import django_request_as

        return django_request_as(name)
    raise UserNotFoundError(
        f"cannot act as {name!r}: this project has no users function; add "
        '[tool.cf] users = "myapp.dev:user_named" (a function returning the user for a name) '
        "to pyproject.toml; in a Django project, Django's users are found by username"
    )


def _hooked_user(target: str, name: str) -> Any:
    module_name, _, attribute = target.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise UserNotFoundError(f"[tool.cf] users = {target!r} cannot be loaded: {exc}") from None
    user = function(name)
    if user is None:
        raise UserNotFoundError(f"no user {name!r}: {target} returned None for it")
    return user
