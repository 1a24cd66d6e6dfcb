"""0.6.0's ``adapters.django_views``: this project's Django views.

New code: ``path("cf/", include("component_framework.django.urls"))`` (docs/django.md).
"""

from __future__ import annotations

from component_framework.django.views import event, script, stream

__all__ = ["event", "script", "stream"]
