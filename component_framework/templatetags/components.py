"""``{% load components %}``: 0.6.0's tag library over this project's tags.

``component``, ``cf_scripts`` and ``cf_flash`` as in ``{% load cf %}``; ``live_component`` and
``cotton_component`` are 0.6.0's names for ``component``; ``component_errors`` and
``component_attrs`` work as they did; ``component_state`` and ``component_js`` are not carried
over (docs/migrating.md). New code: ``{% load cf %}`` (docs/django.md).
"""

from __future__ import annotations

from typing import Any

from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as _global_registry
from component_framework.django._legacy_tags import (
    component_attrs,
    component_errors,
    component_js,
    component_state,
    register,
    render_live,
)
from component_framework.django.templatetags.cf import cf_flash, cf_scripts, component

__all__ = [
    "cf_flash",
    "cf_scripts",
    "component",
    "component_attrs",
    "component_errors",
    "component_js",
    "component_state",
    "cotton_component",
    "live_component",
    "register",
    "registry",
]

registry: ComponentRegistry = _global_registry
"""Where ``live_component`` looks names up, read on every render; the global registry stands
for the app's (``CF_REGISTRY``, else the global one)."""


def live_component(context: Any, name: str, **params: Any) -> Any:
    """``{% live_component "counter" initial=5 %}``: ``{% component %}`` under 0.6.0's name."""
    chosen = registry if registry is not _global_registry else None
    return render_live(context, name, params, chosen)


def cotton_component(context: Any, name: str, **params: Any) -> Any:
    """``{% cotton_component "counter" %}``: as ``live_component`` (the component's own
    renderer draws it: ``DjangoCottonRenderer`` for Cotton templates)."""
    return live_component(context, name, **params)


register.simple_tag(live_component, takes_context=True)
register.simple_tag(cotton_component, takes_context=True)
