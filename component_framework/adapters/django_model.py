"""0.6.0's ``adapters.django_model``: ``component_framework.django.DjangoModelMixin``."""

from __future__ import annotations

from component_framework.django import DjangoModelMixin, InstanceNotFoundError

__all__ = ["DjangoModelMixin", "InstanceNotFoundError"]
