"""``{% load components %}``: this project's Django tags (``component``, ``cf_scripts``) under
0.6.0's library name. New code: ``{% load cf %}`` (docs/django.md)."""

from __future__ import annotations

from component_framework.django.templatetags.cf import cf_scripts, component, register

__all__ = ["cf_scripts", "component", "register"]
