"""0.6.0's ``adapters.django_renderer``: this project's Django template renderers.

``DjangoRenderer`` is 0.6.0's name for ``DjangoTemplateRenderer``.
"""

from __future__ import annotations

from component_framework.django.renderers import DjangoCottonRenderer, DjangoTemplateRenderer

__all__ = ["DjangoCottonRenderer", "DjangoRenderer", "DjangoTemplateRenderer"]

DjangoRenderer = DjangoTemplateRenderer
