"""0.6.0's ``adapters.flask``: this project's Flask extension under 0.6.0's calls.

``register_component_routes(app)`` is ``Components(app)``: it serves ``POST /cf/event``,
``/cf/stream``, the ``/cf/ws`` socket and ``/cf/cf.js`` (not 0.6.0's ``/components/<name>``
routes, docs/migrating.md). ``FlaskRenderer`` renders component templates from the app's
templates folder and globals, autoescaped.

New code: ``Components(app)`` from ``component_framework.flask`` (docs/flask.md).
"""

from __future__ import annotations

from . import require

require("flask", "flask")

from typing import Any

from jinja2 import Environment

from component_framework.core.jinja import JinjaRenderer
from component_framework.core.registry import ComponentRegistry
from component_framework.core.registry import registry as _global_registry
from component_framework.flask import ComponentRequest, Components

__all__ = [
    "ComponentRequest",
    "Components",
    "FlaskRenderer",
    "register_component_routes",
    "registry",
]

registry: ComponentRegistry = _global_registry
"""Where ``register_component_routes`` looks names up when the app is set up."""


class FlaskRenderer(JinjaRenderer):
    """Render component templates with the loader and globals of a Flask app (or a Jinja
    ``Environment``), in an environment of the renderer's own: autoescaping always on.

    Args:
        app_or_env: The Flask app, or a Jinja ``Environment``.
    """

    def __init__(self, app_or_env: Any) -> None:
        env: Environment = getattr(app_or_env, "jinja_env", app_or_env)
        super().__init__(loader=env.loader, globals=env.globals)


def register_component_routes(app: Any, **options: Any) -> Components:
    """Serve components in *app*: ``Components(app, **options)`` (its options: ``prefix``,
    ``secret_key``, ``registry``, ...).

    Returns:
        The ``Components`` extension (``push_event``, ``render``, ...).
    """
    if registry is not _global_registry:
        options.setdefault("registry", registry)
    return Components(app, **options)
