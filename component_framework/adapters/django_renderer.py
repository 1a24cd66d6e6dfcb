"""0.6.0's ``adapters.django_renderer``: this project's Django template renderers.

``DjangoRenderer()`` is ``DjangoTemplateRenderer()``; ``DjangoRenderer(use_cotton=True)`` is
``DjangoCottonRenderer()`` (component templates may use django-cotton's ``<c-...>`` tags).

New code: ``component_framework.django.renderers`` (docs/templates.md).
"""

from __future__ import annotations

from . import require

require("django", "django")

from typing import Any

from component_framework.django.renderers import DjangoCottonRenderer, DjangoTemplateRenderer

__all__ = ["DjangoCottonRenderer", "DjangoRenderer", "DjangoTemplateRenderer"]


def DjangoRenderer(*, use_cotton: bool = False, **options: Any) -> DjangoTemplateRenderer:
    """0.6.0's renderer class: a ``DjangoCottonRenderer`` with *use_cotton*, else a
    ``DjangoTemplateRenderer``, given *options* (``using``, ``dirs``, ``strict``, ...)."""
    if use_cotton:
        return DjangoCottonRenderer(**options)
    return DjangoTemplateRenderer(**options)
