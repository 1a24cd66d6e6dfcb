"""0.6.0's ``adapters.django_model``: ``DjangoModelMixin`` with 0.6.0's method names
(``get_instance``, ``save_instance(commit=)``, ``validate_and_save``,
``populate_state_from_instance``, ``update_instance_from_state``) over this project's.

New code: ``component_framework.django.DjangoModelMixin`` (docs/django.md).
"""

from __future__ import annotations

from . import require

require("django", "django")

from component_framework.django import InstanceNotFoundError
from component_framework.django._legacy_model import (
    DjangoModelComponent,
    DjangoModelMixin,
    ModelNotSetError,
    NoInstanceError,
    transaction,
)

__all__ = [
    "DjangoModelComponent",
    "DjangoModelMixin",
    "InstanceNotFoundError",
    "ModelNotSetError",
    "NoInstanceError",
    "transaction",
]
