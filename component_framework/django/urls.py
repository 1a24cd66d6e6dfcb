"""The component endpoints: ``path("cf/", include("component_framework.django.urls"))``.

Served under the include's prefix: ``event``, ``stream`` and ``htmx`` (POST) and ``cf.js``
(GET). The names live in the ``cf`` namespace (``reverse("cf:event")``).
"""

from __future__ import annotations

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "cf"

urlpatterns = [
    path("event", views.event, name="event"),
    path("stream", views.stream, name="stream"),
    path("htmx", views.htmx, name="htmx"),
    path("cf.js", views.script, name="script"),
]
