"""The ``component`` and ``cf_scripts`` globals for Django's Jinja2 template backend.

Set ``"OPTIONS": {"environment": "component_framework.django.jinja2.environment"}`` in the
backend's settings; templates then use ``{{ component("counter", start=3) }}`` and
``{{ cf_scripts() }}``.
"""

from __future__ import annotations

from typing import Any

import jinja2

from ._render import jinja_globals

__all__ = ["environment"]


def environment(**options: Any) -> jinja2.Environment:
    """A Jinja2 environment with the ``component`` and ``cf_scripts`` globals."""
    env = jinja2.Environment(**options)
    env.globals.update(jinja_globals())
    return env
