"""0.6.0's ``adapters.django_permissions``: the permission classes of
``component_framework.core.permissions``, checked on every transport.

New code sets ``permission_classes = [IsAuthenticated]`` (or ``DjangoModelPermission`` with
``permission_required``) on the component instead of decorating a view (docs/migrating.md).
"""

from __future__ import annotations

from component_framework.core.permissions import (
    AllowAny,
    BasePermission,
    DjangoModelPermission,
    IsAuthenticated,
    IsStaff,
    IsSuperuser,
)

__all__ = [
    "AllowAny",
    "BasePermission",
    "DjangoModelPermission",
    "IsAuthenticated",
    "IsStaff",
    "IsSuperuser",
]
