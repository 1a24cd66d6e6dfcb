"""Permission classes, checked on every transport before any component code runs.

A component lists them in ``permission_classes``; all must grant access. The ``request`` is the
transport's request object (Starlette's ``Request``/``WebSocket``, Django's ``HttpRequest``);
user checks read ``request.user`` as authentication middleware sets it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import NotAuthenticatedError, PermissionDeniedError

if TYPE_CHECKING:
    from .component import Component

__all__ = [
    "AllowAny",
    "BasePermission",
    "DjangoModelPermission",
    "IsAuthenticated",
    "IsStaff",
    "IsSuperuser",
    "check_permissions",
    "user_of",
]


def user_of(request: Any) -> Any:
    """*request*'s ``user``, or None (also where the host has no authentication set up)."""
    # Starlette raises AssertionError from request.user without AuthenticationMiddleware.
    try:
        return getattr(request, "user", None)
    except AssertionError:
        return None


class BasePermission:
    """
    Base permission class. All permission classes must inherit from this.

    Subclasses must implement ``has_permission``. A refusal says ``message`` when the class
    sets one (``"Only editors may change articles."``), else "Authentication required." (no
    logged-in user) or "Permission denied.".
    """

    message: str | None = None
    """What a refused user reads (in the page, in the error reply); None: the default."""

    def has_permission(self, request: Any, component_cls: type) -> bool:
        """
        Return True if the request has permission to access the component.

        Args:
            request: The incoming request object.
            component_cls: The component class being accessed.
        """
        return True


class AllowAny(BasePermission):
    """Allow unrestricted access. Default permission class."""

    def has_permission(self, request: Any, component_cls: type) -> bool:
        return True


class IsAuthenticated(BasePermission):
    """Allow access only to authenticated users."""

    def has_permission(self, request: Any, component_cls: type) -> bool:
        user = user_of(request)
        return bool(user and user.is_authenticated)


class IsStaff(BasePermission):
    """Allow access only to staff users."""

    def has_permission(self, request: Any, component_cls: type) -> bool:
        user = user_of(request)
        return bool(user and getattr(user, "is_staff", False))


class IsSuperuser(BasePermission):
    """Allow access only to superusers."""

    def has_permission(self, request: Any, component_cls: type) -> bool:
        user = user_of(request)
        return bool(user and getattr(user, "is_superuser", False))


class DjangoModelPermission(BasePermission):
    """
    Allow access based on a specific Django model permission.

    Set ``permission_required`` on the component class:

        @registry.register("my_component")
        class MyComponent(Component):
            permission_classes = [DjangoModelPermission]
            permission_required = "myapp.change_mymodel"
    """

    def has_permission(self, request: Any, component_cls: type) -> bool:
        return not self.missing(request, component_cls)

    def missing(self, request: Any, component_cls: type) -> list[str]:
        """The permissions of ``permission_required`` the request's user lacks."""
        permission = getattr(component_cls, "permission_required", "")
        required = [permission] if isinstance(permission, str) else list(permission)
        required = [p for p in required if p]
        user = user_of(request)
        if not user:
            return required
        return [p for p in required if not user.has_perm(p)]


def check_permissions(component_cls: type[Component], request: Any) -> None:
    """Run every permission class of *component_cls* against *request*.

    The error names the class that refused (``refused_by``) and, for
    ``DjangoModelPermission``, the permissions the user lacks (``missing``): for the log and
    ``cf dev``, never sent to the client.

    Raises:
        NotAuthenticatedError: A permission refused and the request has no authenticated user.
        PermissionDeniedError: A permission refused an authenticated user.
    """
    for permission_cls in component_cls.permission_classes:
        permission = permission_cls()
        if not permission.has_permission(request, component_cls):
            user = user_of(request)
            missing: list[str] = []
            if isinstance(permission, DjangoModelPermission):
                missing = permission.missing(request, component_cls)
            error: PermissionDeniedError | NotAuthenticatedError
            if not (user and getattr(user, "is_authenticated", False)):
                error = NotAuthenticatedError(permission.message or "Authentication required.")
            else:
                error = PermissionDeniedError(permission.message or "Permission denied.")
            error.refused_by, error.missing = permission_cls.__name__, tuple(missing)
            raise error
