"""0.6.0's Django template tags, public as ``{% load components %}``
(``component_framework.templatetags.components``): this project's ``component``,
``cf_scripts`` and ``cf_flash``, and 0.6.0's other tags.

``live_component`` and ``cotton_component`` render as ``component`` does (the root element
with its signed state); ``component_errors`` and ``component_attrs`` work as they did;
``component_state`` and ``component_js`` raise an error saying what replaces them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from component_framework.core.exceptions import ConfigurationError
from component_framework.core.registry import ComponentRegistry

from ._config import config
from ._render import render_root
from .templatetags.cf import cf_flash, cf_scripts, component

__all__ = [
    "component_attrs",
    "component_errors",
    "component_js",
    "component_state",
    "register",
    "render_live",
]

register = template.Library()
register.simple_tag(component, takes_context=True)
register.simple_tag(cf_scripts, takes_context=True)
register.simple_tag(cf_flash, takes_context=True)


def render_live(
    context: Any, name: str, params: dict[str, Any], registry: ComponentRegistry | None
) -> SafeString:
    """Render component *name* as ``{% component %}`` does, looked up in *registry* (None:
    the app's)."""
    settings = config()
    if registry is not None:
        settings = settings.replace(registry=registry)
    return render_root(settings, name, context.get("request"), params)


@register.filter
def component_errors(errors: Any, field: str) -> list[Any]:
    """``{{ field_errors|component_errors:"email" }}``: the messages for *field*, or ``[]``."""
    if not isinstance(errors, Mapping):
        return []
    return list(errors.get(field, []))


@register.simple_tag
def component_attrs(component_id: str, state: Any = None, **attrs: Any) -> SafeString:
    """``hx-target="#<id>" hx-swap="outerHTML"`` and *attrs*, escaped, for an htmx element.

    *state* is accepted for 0.6.0's signature and not written: the component's root carries
    its signed state (docs/htmx.md).
    """
    pairs = {"hx-target": f"#{component_id}", "hx-swap": "outerHTML", **attrs}
    return format_html_join(" ", '{}="{}"', pairs.items())


@register.simple_tag
def component_state(state: Any) -> SafeString:
    """Not carried over: a page never posts back state it serialized itself.

    Raises:
        ConfigurationError: Always, saying what replaces it.
    """
    raise ConfigurationError(
        "{% component_state %} is not carried over: state goes to the page signed, in the "
        "component's root, and cf.js (or htmx, docs/htmx.md) sends it back. Render the "
        "component with {% component %} (docs/migrating.md)."
    )


@register.simple_tag
def component_js(component_id: str) -> SafeString:
    """Not carried over: cf.js subscribes a live component with its signed token.

    Raises:
        ConfigurationError: Always, saying what replaces it.
    """
    raise ConfigurationError(
        "{% component_js %} is not carried over: cf.js opens the socket and subscribes each "
        "live component with the token the server signed for it. Load cf.js with "
        "{% cf_scripts %} and set live = True on the component (docs/migrating.md)."
    )
