"""``{% load cf %}``: ``{% component "counter" start=3 %}``, ``{% cf_scripts %}`` and
``{% cf_flash %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from component_framework.django._render import (
    render_component_html,
    render_flash_html,
    render_scripts_html,
)

__all__ = ["cf_flash", "cf_scripts", "component", "register"]

register = template.Library()


@register.simple_tag(takes_context=True)
def component(context: Any, name: str, **params: Any) -> SafeString:
    """Render component *name* mounted with *params* (trusted: they come from the template)."""
    return render_component_html(name, context.get("request"), **params)


@register.simple_tag(takes_context=True)
def cf_scripts(context: Any, *scripts: str) -> SafeString:
    """The ``<script>`` tags loading cf.js, with the CSRF token cf.js sends, and the optional
    *scripts* the page uses (``{% cf_scripts "navigate" "hooks" %}``)."""
    return render_scripts_html(context.get("request"), scripts)


@register.simple_tag(takes_context=True)
def cf_flash(context: Any) -> SafeString:
    """The page's flash region: Django's messages and the components' flash messages."""
    return render_flash_html(context.get("request"))
