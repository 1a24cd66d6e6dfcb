"""The component endpoints: ``path("cf/", include("component_framework.django.urls"))``.

Served under the include's prefix: ``event``, ``stream`` and ``htmx`` (POST), ``upload``
(files in chunks), ``cf.js`` and its optional scripts (GET: ``cf-navigate.js``, ...). The
names live in the ``cf`` namespace
(``reverse("cf:event")``).
"""

from __future__ import annotations

from django.urls import path

from component_framework.core._scripts import OPTIONAL_SCRIPTS

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "cf"

urlpatterns = [
    path("event", views.event, name="event"),
    path("stream", views.stream, name="stream"),
    path("htmx", views.htmx, name="htmx"),
    path("cf.js", views.script, name="script"),
    path("upload", views.upload, name="upload"),
    path("upload/<str:upload_id>", views.upload, name="upload_part"),
    *(path(file, views.script, {"name": file}, name=file) for file in OPTIONAL_SCRIPTS.values()),
]
