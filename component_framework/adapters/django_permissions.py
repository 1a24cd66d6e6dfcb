"""0.6.0's ``adapters.django_permissions``: the permission classes of
``component_framework.core.permissions`` (checked on every transport) and 0.6.0's view
decorators, which refuse with a JSON error reply (401, 403) instead of a redirect.

New code sets ``permission_classes = [IsAuthenticated]`` (or ``DjangoModelPermission`` with
``permission_required``) on the component instead of decorating a view: a decorator guards
only the route it wraps, the classes every transport (docs/migrating.md).
"""

from __future__ import annotations

from . import require

require("django", "django")

from component_framework.core.permissions import (
    AllowAny,
    BasePermission,
    DjangoModelPermission,
    IsAuthenticated,
    IsStaff,
    IsSuperuser,
)
from component_framework.django._legacy_guards import (
    login_required_component,
    permission_required_component,
    staff_required_component,
)

__all__ = [
    "AllowAny",
    "BasePermission",
    "DjangoModelPermission",
    "IsAuthenticated",
    "IsStaff",
    "IsSuperuser",
    "login_required_component",
    "permission_required_component",
    "staff_required_component",
]
