"""0.6.0's ``adapters.django_views``: its views over this project's message path.

``component_view`` and ``ComponentView`` serve 0.6.0's route,
``path("components/<str:name>/", component_view)``, taking this project's message: the name
from the URL, the rest (``event``, ``payload``, ``state``, ``checksum``, ``component_id``) as
cf.js sends it. Every check of every transport runs (signed state, permission classes,
validated payloads, rate limits); what 0.6.0 accepted and they refuse is in
docs/migrating.md. ``AuthenticatedComponentView`` and ``PermissionComponentView`` answer 401
and 403 in JSON.

New code: ``path("cf/", include("component_framework.django.urls"))`` (docs/django.md).
"""

from __future__ import annotations

from . import require

require("django", "django")

from typing import Any

from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as _global_registry
from component_framework.django import _legacy_views as _views
from component_framework.django.views import event, script, stream

__all__ = [
    "AuthenticatedComponentView",
    "ComponentView",
    "PermissionComponentView",
    "component_view",
    "event",
    "registry",
    "script",
    "stream",
]

registry: ComponentRegistry = _global_registry
"""Where the views look names up, read on every request; the global registry stands for the
app's (``CF_REGISTRY``, else the global one)."""


def _chosen() -> ComponentRegistry | None:
    return registry if registry is not _global_registry else None


def component_view(request: Any, name: str) -> Any:
    """``POST components/<name>/``: one message for component *name*, one reply."""
    return _views.component_view(request, name, _chosen())


class _Registry:
    def component_registry(self) -> ComponentRegistry | None:
        return _chosen()


class ComponentView(_Registry, _views.ComponentView):
    """``component_view`` as a class: ``ComponentView.as_view()`` at a URL with
    ``<str:name>``."""


class AuthenticatedComponentView(_Registry, _views.AuthenticatedComponentView):
    """A ``ComponentView`` answering 401 (JSON, not a redirect) without a logged-in user."""


class PermissionComponentView(_Registry, _views.PermissionComponentView):
    """A ``ComponentView`` needing every Django permission in ``permission_required``."""
